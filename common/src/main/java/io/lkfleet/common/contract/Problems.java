package io.lkfleet.common.contract;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one problem+json (RFC 9457) scheme of every lkfleet service: {@code type} is
 * {@link #TYPE_BASE} + a stable reason slug, {@code title} a short name, {@code detail} what exactly
 * was wrong (never a secret), {@code status} the HTTP status. Reasons shared between services are
 * in {@link Reason}; a service's own reasons use the same base.
 */
public final class Problems {
    /** Base of every problem {@code type}; the reason slug follows it. */
    public static final String TYPE_BASE = "https://lkfleet.io/problems/";

    /** The media type of every error body. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The problem {@code type} of a reason slug. */
    public static String type(String reason) {
        return TYPE_BASE + reason;
    }

    /**
     * A problem document of this scheme, members in RFC 9457's order; a service may add extension
     * members (e.g. {@code region}, {@code field}) to the returned map. A map, not a bean, so native
     * images serialize it without reflection registration.
     */
    public static Map<String, Object> document(String reason, int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type(reason));
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return body;
    }

    /** The reason slug of a problem {@code type} of this scheme, or null for any other type. */
    public static String reasonOf(String type) {
        return type != null && type.startsWith(TYPE_BASE) ? type.substring(TYPE_BASE.length()) : null;
    }
}
