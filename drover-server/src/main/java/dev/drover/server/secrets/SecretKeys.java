package dev.drover.server.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the secrets key comes from: {@code DROVER_SECRETS_KEY} (base64 of 32 bytes), else {@code <data-dir>/secrets.key},
 * created with 32 random bytes (mode 0600) on first start. The key never enters the database, a log or a message;
 * only its fingerprint does. {@code DROVER_SECRETS_PREVIOUS_KEY} names the key a rotation moves away from.
 */
public final class SecretKeys {
    private static final Logger LOG = LoggerFactory.getLogger(SecretKeys.class);
    public static final String KEY_FILE = "secrets.key";
    public static final String KEY_VAR = "DROVER_SECRETS_KEY";
    public static final String PREVIOUS_VAR = "DROVER_SECRETS_PREVIOUS_KEY";

    /** The cipher, and where its key came from (for the start banner: a path or the variable's name). */
    public record Loaded(SecretCipher cipher, String source) {}

    private SecretKeys() {}

    public static Loaded load(Map<String, String> env, Path dataDir) {
        byte[] previous = decode(PREVIOUS_VAR, env.get(PREVIOUS_VAR));
        byte[] key = decode(KEY_VAR, env.get(KEY_VAR));
        if (key != null) {
            return new Loaded(new SecretCipher(key, previous), KEY_VAR);
        }
        Path file = dataDir.resolve(KEY_FILE);
        return new Loaded(new SecretCipher(fromFile(file), previous), file.toString());
    }

    private static byte[] decode(String var, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(var + " is not base64 (generate a key with: openssl rand -base64 32)");
        }
        if (key.length != SecretCipher.KEY_BYTES) {
            throw new IllegalStateException(var + " must decode to " + SecretCipher.KEY_BYTES + " bytes, not "
                    + key.length + " (generate a key with: openssl rand -base64 32)");
        }
        return key;
    }

    /** Reads the key file, creating it first if there is none (written aside, then moved: never half a key). */
    static byte[] fromFile(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[SecretCipher.KEY_BYTES];
                new SecureRandom().nextBytes(key);
                Path temp = file.resolveSibling(KEY_FILE + ".new");
                Files.deleteIfExists(temp);
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(temp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
                try {
                    // a hard link appears whole and never replaces: a node racing on the same data directory keeps
                    // the first key (a rename would silently replace it)
                    Files.createLink(file, temp);
                    LOG.info("created the secrets key {} (mode 0600); keep it: secrets cannot be read without it", file);
                } catch (FileAlreadyExistsException e) {
                    // the other node's key stands
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            return decode(file.toString(), Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secrets key " + file, e);
        }
    }
}
