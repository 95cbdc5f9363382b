package dev.drover.server.testing;

import dev.drover.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The databases every integration suite runs on. PostgreSQL is one embedded server per JVM (zonky; binaries
 * come as Maven artifacts), each test gets a database of its own. {@code DROVER_TEST_POSTGRES_URL} (a JDBC URL
 * of a server where the user may CREATE DATABASE) points the tests at an external PostgreSQL instead.
 */
public enum Backend {
    SQLITE, POSTGRES;

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres embedded;

    /** A fresh, empty database for one server (or several servers sharing it), as a server configuration. */
    public ServerConfig freshConfig() {
        Path dir = tempDir();
        ServerConfig base = ServerConfig.embedded(dir).withAdminApiKey(TestServer.ADMIN_KEY);
        if (this == SQLITE) {
            return base;
        }
        String name = "drover_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        String external = System.getenv("DROVER_TEST_POSTGRES_URL");
        if (external != null) {
            exec(external, "CREATE DATABASE " + name);
            return base.withDatabase(external.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1"), null, null);
        }
        EmbeddedPostgres pg = postgres();
        exec(pg.getJdbcUrl("postgres", "postgres"), "CREATE DATABASE " + name);
        return base.withDatabase(pg.getJdbcUrl("postgres", name), "postgres", null);
    }

    private static synchronized EmbeddedPostgres postgres() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return embedded;
    }

    private static void exec(String url, String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", null);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run " + sql + " on " + url, e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("drover-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
