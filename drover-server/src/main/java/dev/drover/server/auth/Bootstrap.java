package dev.drover.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start: with no key in the database, create an admin user in a default team and a key for it, print the
 * key once and leave it in {@code <data-dir>/admin-api-key} (mode 0600). A preset key
 * ({@code DROVER_ADMIN_API_KEY}) is registered instead of a random one, and on every later start too, so
 * scripts and tests can rely on it.
 */
public final class Bootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
    public static final String ADMIN_EMAIL = "admin@drover.local";
    public static final String DEFAULT_TEAM = "default";
    public static final String KEY_FILE = "admin-api-key";

    private Bootstrap() {}

    /** Returns the key created now, if one was. */
    public static Optional<String> ensureAdmin(Accounts accounts, Path dataDir, String presetKey) {
        boolean fresh = !accounts.anyKeyExists();
        boolean presetMissing = presetKey != null && !presetKey.isBlank() && !accounts.keyExists(presetKey);
        if (!fresh && !presetMissing) {
            return Optional.empty();
        }
        String team = accounts.ensureTeam(DEFAULT_TEAM);
        Principal admin = accounts.ensurePrincipal(Principal.Kind.USER, ADMIN_EMAIL, team, true);
        String secret = presetMissing ? presetKey : null;
        Accounts.CreatedKey key = accounts.createKey(admin, "bootstrap admin key", secret);
        writeKeyFile(dataDir.resolve(KEY_FILE), key.secret());
        if (secret == null) {
            // Printed once, on purpose: this is the operator's only way to learn a generated key besides the file.
            System.out.println("Drover admin API key (also written to " + dataDir.resolve(KEY_FILE) + "):");
            System.out.println("  " + key.secret());
        } else {
            LOG.info("registered the preset admin API key from DROVER_ADMIN_API_KEY");
        }
        return Optional.of(key.secret());
    }

    public static final String WORKER_KEY_FILE = "worker-api-key";
    public static final String EMBEDDED_WORKERS = "drover-embedded-workers";

    /**
     * The worker key of the worker slots embedded in {@code drover serve}: kept in {@code <data-dir>/worker-api-key}
     * (0600) and reused across restarts while it is valid, so restarts do not pile up keys.
     */
    public static String ensureEmbeddedWorkerKey(Accounts accounts, Path dataDir) {
        Path file = dataDir.resolve(WORKER_KEY_FILE);
        try {
            if (Files.exists(file)) {
                String existing = Files.readString(file).strip();
                if (accounts.authenticate(existing).filter(Principal::worker).isPresent()) {
                    return existing;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Principal sa = accounts.ensurePrincipal(Principal.Kind.SERVICE_ACCOUNT, EMBEDDED_WORKERS, null, false);
        String secret = accounts.createKey(sa, "embedded workers", null, Accounts.WORKER_KEY).secret();
        writeKeyFile(file, secret);
        return secret;
    }

    private static void writeKeyFile(Path file, String secret) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, secret + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
