/** Names every service agrees on: Kafka topics and headers, Redis keys. */
package io.lkfleet.common.contract;
