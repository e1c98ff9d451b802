/**
 * The one credential scheme of lkfleet's own APIs: a bearer token per API (admin, caller), checked
 * in constant time, refused with problem+json {@code unauthorized}. Needs the JAX-RS API, an optional
 * dependency of common that every service with a REST endpoint has.
 */
package io.lkfleet.common.auth;
