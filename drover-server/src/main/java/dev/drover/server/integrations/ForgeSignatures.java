package dev.drover.server.integrations;

import dev.drover.server.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** How the forges prove a webhook is theirs; every comparison takes the same time whatever the guess. */
final class ForgeSignatures {
    private ForgeSignatures() {}

    /** GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under the webhook's secret>}. */
    static boolean githubValid(String secret, byte[] body, String header) {
        if (header == null || !header.startsWith("sha256=")) {
            return false;
        }
        byte[] expected = ("sha256=" + HexFormat.of().formatHex(hmac(secret, body))).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, header.strip().toLowerCase(java.util.Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The header value GitHub would send for {@code body}; the tests sign with it. */
    static String githubSignature(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret, body));
    }

    /**
     * GitLab: {@code X-Gitlab-Token} is the configured token itself. Both sides are hashed first, so that the
     * comparison's time depends on neither the token's length nor a common prefix.
     */
    static boolean gitlabValid(String token, String header) {
        if (header == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(token), sha256(header));
    }

    private static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(String s) {
        return Sha256.digest().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
