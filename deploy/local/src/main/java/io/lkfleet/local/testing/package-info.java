/** Test harness: the real local fleet for integration tests, and real WebRTC participants. */
package io.lkfleet.local.testing;
