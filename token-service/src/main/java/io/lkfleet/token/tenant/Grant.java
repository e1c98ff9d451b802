package io.lkfleet.token.tenant;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a token may allow in its room; a tenant may only hand out the grants it was given. The
 * {@link #privileged} ones (invisible, recording, administering the room) never reach a user-JWT
 * caller by default: only a backend credential or a user-JWT claim the tenant allows confers them.
 */
public enum Grant {
    PUBLISH("publish"),
    SUBSCRIBE("subscribe"),
    PUBLISH_DATA("publish-data"),
    HIDDEN("hidden"),
    RECORDER("recorder"),
    ROOM_ADMIN("room-admin");

    private final String key;

    Grant(String key) {
        this.key = key;
    }

    @JsonValue
    public String key() {
        return key;
    }

    /** Grants that let a participant watch unseen, record, or act on other participants. */
    public boolean privileged() {
        return this == HIDDEN || this == RECORDER || this == ROOM_ADMIN;
    }

    public static Optional<Grant> of(String key) {
        return Arrays.stream(values()).filter(g -> g.key.equals(key)).findFirst();
    }
}
