package io.lkfleet.common.registry;

/** A region's LiveKit registry could not be read (Redis down or slow, or an entry LiveKit did not write). */
public final class RegistryUnavailableException extends RuntimeException {
    RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
