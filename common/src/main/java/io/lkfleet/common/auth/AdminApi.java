package io.lkfleet.common.auth;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an operator API: each service binds its admin-token check to it (a {@code @ServerRequestFilter}
 * carrying this annotation), so a resource cannot be admin without being guarded. {@code deploy/check}
 * fails on any admin route without it.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface AdminApi {
}
