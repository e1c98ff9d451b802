package io.lkfleet.token.tenant;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** What a token may allow in its room; a tenant may only hand out the grants it was given. */
public enum Grant {
    PUBLISH("publish"),
    SUBSCRIBE("subscribe"),
    PUBLISH_DATA("publish-data"),
    HIDDEN("hidden"),
    RECORDER("recorder");

    private final String key;

    Grant(String key) {
        this.key = key;
    }

    @JsonValue
    public String key() {
        return key;
    }

    public static Optional<Grant> of(String key) {
        return Arrays.stream(values()).filter(g -> g.key.equals(key)).findFirst();
    }
}
