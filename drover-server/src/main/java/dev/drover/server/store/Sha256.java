package dev.drover.server.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 as lowercase hex: what Drover stores instead of a secret (API keys, run tokens, session ids) and the
 * fingerprint of a request body an idempotency key was first used with. The hex text is stored, so it must never
 * change for the same input.
 */
public final class Sha256 {
    private Sha256() {}

    /** The hex digest of {@code text}'s UTF-8 bytes. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The hex digest of the chunks one after the other (the caller separates them when it must). */
    public static String hex(byte[]... chunks) {
        MessageDigest sha = digest();
        for (byte[] chunk : chunks) {
            sha.update(chunk);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A new SHA-256 digest; every JVM has one, so its absence is not an error to handle. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
