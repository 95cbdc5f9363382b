package dev.drover.server.secrets;

import dev.drover.server.store.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secret values (the JDK's {@code javax.crypto}): a random 96-bit nonce per value, a 128-bit tag,
 * and the secret's id and owner as associated data, so a ciphertext moved to another row or another team fails its
 * tag check instead of decrypting there. A sealed value is {@code base64(nonce || ciphertext || tag)} together with
 * the fingerprint of the key that sealed it; {@link #open} refuses a fingerprint it holds no key for with a message
 * that says so, rather than a bare tag failure.
 *
 * <p>{@code previous} is the key being rotated away from ({@code DROVER_SECRETS_PREVIOUS_KEY}): it only opens.
 */
public final class SecretCipher {
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD_VERSION = "drover-secret-v1".getBytes(StandardCharsets.UTF_8);

    private final byte[] key;
    private final String keyId;
    private final byte[] previous;
    private final String previousId;
    private final SecureRandom random = new SecureRandom();

    /** What is stored for a value: the fingerprint of the sealing key and the base64 nonce, ciphertext and tag. */
    public record Sealed(String keyId, String ciphertext) {}

    /** A value that cannot be opened: tampered with, moved to another row, or sealed under a key this node lacks. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    public SecretCipher(byte[] key, byte[] previous) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a secrets key is " + KEY_BYTES + " bytes");
        }
        if (previous != null && previous.length != KEY_BYTES) {
            throw new IllegalArgumentException("the previous secrets key is " + KEY_BYTES + " bytes");
        }
        this.key = key.clone();
        this.keyId = fingerprint(key);
        this.previous = previous == null ? null : previous.clone();
        this.previousId = previous == null ? null : fingerprint(previous);
    }

    /** The fingerprint of the current key: the first 8 bytes of SHA-256 over a label and the key, in hex. */
    public String keyId() {
        return keyId;
    }

    public Optional<String> previousKeyId() {
        return Optional.ofNullable(previousId);
    }

    /** Whether this node can open values sealed under {@code id}. */
    public boolean opens(String id) {
        return keyId.equals(id) || id.equals(previousId);
    }

    public Sealed seal(String secretId, String ownerId, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(secretId, ownerId));
            byte[] sealed = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return new Sealed(keyId, Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    public String open(String secretId, String ownerId, Sealed sealed) {
        byte[] k;
        if (keyId.equals(sealed.keyId())) {
            k = key;
        } else if (sealed.keyId().equals(previousId)) {
            k = previous;
        } else {
            throw new Refused("the secret was encrypted with key " + sealed.keyId() + ", but this node holds key "
                    + keyId + (previousId == null ? "" : " (and previous key " + previousId + ")")
                    + "; every node needs the same DROVER_SECRETS_KEY");
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(sealed.ciphertext());
        } catch (IllegalArgumentException e) {
            throw new Refused("the stored ciphertext is not base64");
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new Refused("the stored ciphertext is too short");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            c.updateAAD(aad(secretId, ownerId));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new Refused("the stored ciphertext does not belong to this secret or was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** Length-prefixed parts, so that no two (id, owner) pairs give the same bytes. */
    private static byte[] aad(String secretId, String ownerId) {
        byte[] id = secretId.getBytes(StandardCharsets.UTF_8);
        byte[] owner = ownerId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(AAD_VERSION.length + 8 + id.length + owner.length).put(AAD_VERSION)
                .putInt(id.length).put(id).putInt(owner.length).put(owner).array();
    }

    static String fingerprint(byte[] key) {
        return Sha256.hex("drover-secrets-key-id".getBytes(StandardCharsets.UTF_8), key).substring(0, 16);
    }
}
