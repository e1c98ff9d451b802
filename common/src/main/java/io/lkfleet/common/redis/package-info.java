/** Redis-aware helpers shared by the services that use lkfleet's Redis (router, capacity-service). */
package io.lkfleet.common.redis;
