package dev.drover.server;

import dev.drover.server.integrations.ForgeCommentSender;
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
