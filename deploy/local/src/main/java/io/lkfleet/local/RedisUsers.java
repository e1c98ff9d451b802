package io.lkfleet.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * lkfleet's Redis users, from the one ACL file every deployment uses ({@link #ACL_FILE}: who may run
 * which commands on which keys; no passwords). A deployment adds each user's password as Redis'
 * {@code #<sha256>} rule, so the rendered file holds no password either; a user left without one
 * cannot log in.
 */
public final class RedisUsers {
    /** The ACL file, relative to the repository root (also mounted by deploy/k8s and compose). */
    public static final String ACL_FILE = "deploy/k8s/base/lkfleet-redis-users.acl";
    /** The operator's user: every command. The local fleet's harness and benchmarks use it. */
    public static final String ADMIN = "lkfleet-admin";

    private RedisUsers() {
    }

    /** {@code acl} with the SHA-256 of {@code passwords}' values added to the line of each named user. */
    public static String render(String acl, Map<String, String> passwords) {
        Set<String> missing = new HashSet<>(passwords.keySet());
        String rendered = acl.lines().map(line -> {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("user") || !passwords.containsKey(words[1])) {
                return line;
            }
            missing.remove(words[1]);
            return line + " #" + sha256(passwords.get(words[1]));
        }).collect(Collectors.joining("\n", "", "\n"));
        if (!missing.isEmpty()) {
            throw new FleetStartException("Redis users " + missing + " have a password but no line in " + ACL_FILE);
        }
        return rendered;
    }

    private static String sha256(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
