package dev.drover.server.store;

import java.security.SecureRandom;
import java.util.UUID;

/** Identifiers: UUIDs for runs, messages and the like, as the spec's examples use. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Ids() {}

    public static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** A random string of {@code length} characters of {@code [A-Za-z0-9]}, such as an environment uid. */
    public static String alphanumeric(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        }
        return new String(out);
    }

    /** Whether {@code s} is a canonical UUID string; lookups of anything else are answered 404 at once. */
    public static boolean isUuid(String s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(s).toString().equals(s.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
