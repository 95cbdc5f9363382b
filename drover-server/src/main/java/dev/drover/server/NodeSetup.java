package dev.drover.server;

import dev.drover.server.integrations.ForgeCommentSender;
import dev.drover.server.store.Database;
import java.time.Duration;

/**
 * What a node checks and derives from its configuration before it wires its features: a free port, a private data
 * directory, the forge comment sender, the skills' cache age. Kept apart from {@link DroverServer}'s wiring so each
 * rule can be read (and changed) on its own.
 */
final class NodeSetup {
    private NodeSetup() {}

    /**
     * Fails before anything is opened when the port is taken, with one line instead of the web server's stack trace
     * (the check after start covers the moment between the two).
     */
    static void requireFreePort(ServerConfig config) {
        if (config.port() == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(config.host(), config.port()));
        } catch (java.io.IOException e) {
            throw cannotListen(config, e.getMessage());
        }
    }

    static IllegalStateException cannotListen(ServerConfig config, String why) {
        return new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + " (" + why
                + "); choose another port with --port or DROVER_PORT (0 picks a free one)");
    }

    /** Comments go to the configured forge with the server's git token; without either nothing is posted. */
    static ForgeCommentSender commentSender(ServerConfig config) {
        String token = config.env().get("DROVER_GIT_TOKEN");
        return token == null || token.isBlank() ? null
                : config.forgeEndpoint().map(e -> ForgeCommentSender.of(e.withToken(token.strip()))).orElse(null);
    }

    /** How long a repository's skills are listed before a background fetch renews them. */
    static Duration skillsMaxAge(ServerConfig config) {
        String raw = config.env().get("DROVER_SKILLS_MAX_AGE");
        try {
            long seconds = raw == null || raw.isBlank() ? 300 : Long.parseLong(raw.strip());
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DROVER_SKILLS_MAX_AGE: must be a number of seconds, not " + raw);
        }
    }

    /**
     * The database's connection settings: {@code DROVER_DB_POOL_SIZE} connections (8; on PostgreSQL at least 4, one of
     * which LISTENs; on SQLite the readers', beside the one writer) and {@code DROVER_DB_CONNECTION_TIMEOUT_MS}, how long
     * a request waits for one before it is answered 503 with {@code Retry-After}.
     */
    static Database.Settings database(ServerConfig config) {
        int poolSize = (int) number(config, "DROVER_DB_POOL_SIZE", 8, 1, 1_000);
        long timeout = number(config, "DROVER_DB_CONNECTION_TIMEOUT_MS",
                Database.Settings.DEFAULT_CONNECTION_TIMEOUT.toMillis(), 250, 3_600_000);
        return new Database.Settings(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                config.dataDir(), poolSize, Duration.ofMillis(timeout));
    }

    private static long number(ServerConfig config, String name, long fallback, long min, long max) {
        String raw = config.env().get(name);
        try {
            long value = raw == null || raw.isBlank() ? fallback : Long.parseLong(raw.strip());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": must be a whole number from " + min + " to " + max + ", not "
                    + raw);
        }
    }

    /** The data directory holds the admin key and every blob: readable by its owner only. */
    static void createPrivately(java.nio.file.Path dir) {
        if (java.nio.file.Files.isDirectory(dir)) {
            return;
        }
        try {
            // only the data directory itself is private: parents made on the way keep the usual permissions, so
            // that isolated agents (another uid) can reach their workspaces beside it
            java.nio.file.Path absolute = dir.toAbsolutePath();
            if (absolute.getParent() != null) {
                java.nio.file.Files.createDirectories(absolute.getParent());
            }
            java.nio.file.Files.createDirectory(absolute, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            try {
                java.nio.file.Files.createDirectories(dir);
            } catch (java.io.IOException io) {
                throw new java.io.UncheckedIOException("cannot create data directory " + dir, io);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create data directory " + dir, e);
        }
    }
}
