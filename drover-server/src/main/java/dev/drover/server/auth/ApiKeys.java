package dev.drover.server.auth;

import dev.drover.server.store.Sha256;
import java.security.SecureRandom;

/**
 * Key material. A key is {@code drv_} followed by 43 base62 characters (256 bits of entropy); the database
 * keeps only its SHA-256, which is enough for a secret that cannot be guessed (a slow password hash protects
 * low-entropy secrets, which these are not, and would cost every request a millisecond).
 */
public final class ApiKeys {
    public static final String PREFIX = "drv_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private ApiKeys() {}

    public static String generate() {
        StringBuilder out = new StringBuilder(PREFIX);
        for (int i = 0; i < 43; i++) {
            out.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return out.toString();
    }

    public static String hash(String key) {
        return Sha256.hex(key);
    }

    /** What listings show of a key: enough to tell keys apart, never enough to use one. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), PREFIX.length() + 6));
    }
}
