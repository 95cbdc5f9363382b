package dev.drover.server.auth;

import dev.drover.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks expiring download URLs: {@code path?expires=<epoch seconds>&signature=<HMAC-SHA256>}. The key
 * lives in the database (created by whichever node starts first), so a URL signed by one node is honoured by all.
 */
public final class UrlSigner {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    private static final String KEY_NAME = "url_signing_key";

    private final byte[] key;
    private final Clock clock;

    private UrlSigner(byte[] key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    public static UrlSigner load(Database db, Clock clock) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        String candidate = HexFormat.of().formatHex(fresh);
        String stored = db.write(h -> {
            // the first node to start wins; every node reads the winner's key
            h.createUpdate("INSERT INTO server_secrets (name, value) VALUES (:n, :v) ON CONFLICT (name) DO NOTHING")
                    .bind("n", KEY_NAME).bind("v", candidate).execute();
            return h.createQuery("SELECT value FROM server_secrets WHERE name = :n").bind("n", KEY_NAME)
                    .mapTo(String.class).one();
        });
        return new UrlSigner(HexFormat.of().parseHex(stored), clock);
    }

    /** A signed, expiring URL for {@code path} (which starts with '/') under {@code publicUrl}. */
    public Signed sign(String publicUrl, String path, Duration ttl) {
        long expires = clock.instant().plus(ttl).getEpochSecond();
        return new Signed(publicUrl + path + "?expires=" + expires + "&signature=" + signature(path, expires),
                Instant.ofEpochSecond(expires));
    }

    /** A URL and when it stops working. */
    public record Signed(String url, Instant expiresAt) {}

    /** Whether {@code signature} is valid for {@code path} and {@code expires} has not passed. */
    public boolean verify(String path, String expires, String signature) {
        if (expires == null || signature == null) {
            return false;
        }
        long when;
        try {
            when = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return false;
        }
        if (clock.instant().getEpochSecond() > when) {
            return false;
        }
        return MessageDigest.isEqual(signature(path, when).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String signature(String path, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal((path + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
