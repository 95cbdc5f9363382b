package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Backend;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.internal.resolver.ChecksumCalculator;
import org.flywaydb.core.internal.resource.StringResource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * A restart on a current schema skips Flyway (SchemaCheck); every other state still goes through Flyway, which
 * applies, validates or refuses as it always did. Same suite on both databases.
 */
abstract class SchemaCheckTest {

    abstract Backend backend();

    private String location() {
        return "db/migration/" + (backend() == Backend.POSTGRES ? "postgresql" : "sqlite");
    }

    @Test
    void aDatabaseFlywayJustMigratedIsSeenAsUpToDateSoARestartSkipsFlyway() {
        ServerConfig config = migrated();
        // true only if every checksum computed here equals the one Flyway stored: the fast path is really taken
        assertThat(SchemaCheck.upToDate(dataSource(config), location())).isTrue();
        try (Database again = open(config)) {
            assertThat(again.ping()).isTrue();
        }
    }

    @Test
    void aNewDatabaseIsNotUpToDateAndFlywayCreatesItsSchema() {
        ServerConfig config = backend().freshConfig();
        assertThat(SchemaCheck.upToDate(dataSource(config), location())).isFalse();
        try (Database db = open(config)) {
            assertThat(SchemaCheck.upToDate(dataSource(config), location())).isTrue();
        }
    }

    @Test
    void aMigrationEditedAfterItWasAppliedStillStopsTheStartThroughFlywaysValidation() {
        ServerConfig config = migrated();
        exec(config, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");

        assertThat(SchemaCheck.upToDate(dataSource(config), location())).isFalse();
        assertThatThrownBy(() -> open(config)).isInstanceOf(FlywayException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void aSchemaFromANewerBuildIsNotTakenForThisBuildsSchema() {
        // the decision stays Flyway's: today it starts with a warning (its default ignores migrations from the future)
        ServerConfig config = migrated();
        exec(config, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                + "installed_by, execution_time, success) VALUES (9999, '9999', 'from a newer node', 'SQL', "
                + "'V9999__from_a_newer_node.sql', 1, 'drover', 1, " + trueLiteral() + ")");

        assertThat(SchemaCheck.upToDate(dataSource(config), location())).isFalse();
    }

    @Test
    void aFailedMigrationInTheHistoryGoesToFlyway() {
        ServerConfig config = migrated();
        exec(config, "UPDATE flyway_schema_history SET success = " + falseLiteral() + " WHERE version = '2'");

        assertThat(SchemaCheck.upToDate(dataSource(config), location())).isFalse();
        assertThatThrownBy(() -> open(config)).isInstanceOf(FlywayException.class);
    }

    @Test
    void aMigrationNotAppliedYetIsLeftToFlyway() {
        ServerConfig config = migrated();
        Map<String, SchemaCheck.Script> shipped = SchemaCheck.shipped(location());
        String newest = shipped.keySet().stream().max(java.util.Comparator.comparingInt(Integer::parseInt))
                .orElseThrow();
        // as if this build brought the newest migration to a database of the build before it
        exec(config, "DELETE FROM flyway_schema_history WHERE version = '" + newest + "'");
        assertThat(SchemaCheck.upToDate(dataSource(config), location())).isFalse();
    }

    @Test
    void theChecksumIsFlywaysOwnWithAByteOrderMarkAndWindowsLineBreaks() throws Exception {
        String script = "\uFEFF-- a comment\r\nCREATE TABLE t (id TEXT PRIMARY KEY);\r\n\r\nINSERT INTO t VALUES ('é');\n";
        int ours = SchemaCheck.checksum(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
        assertThat(ours).isEqualTo(ChecksumCalculator.calculate(new StringResource(script)));
    }

    @Test
    void theShippedMigrationsAreListedFromTheClassPath() {
        Map<String, SchemaCheck.Script> shipped = SchemaCheck.shipped(location());
        assertThat(shipped).containsKey("1").hasSizeGreaterThanOrEqualTo(20);
        assertThat(shipped.get("1").name()).startsWith("V1__").endsWith(".sql");
        assertThat(SchemaCheck.shipped("db/migration/no-such-dialect")).isEmpty();
    }

    private ServerConfig migrated() {
        ServerConfig config = backend().freshConfig();
        open(config).close();
        return config;
    }

    private static Database open(ServerConfig config) {
        return Database.open(new Database.Settings(config.databaseUrl(), config.databaseUser(),
                config.databasePassword(), config.dataDir(), 2));
    }

    private String trueLiteral() {
        return backend() == Backend.POSTGRES ? "TRUE" : "1";
    }

    private String falseLiteral() {
        return backend() == Backend.POSTGRES ? "FALSE" : "0";
    }

    private DataSource dataSource(ServerConfig config) {
        if (backend() == Backend.POSTGRES) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(config.databaseUrl());
            pg.setUser(config.databaseUser());
            pg.setPassword(config.databasePassword());
            return pg;
        }
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + config.dataDir().resolve("drover.db").toAbsolutePath());
        return sqlite;
    }

    private void exec(ServerConfig config, String sql) {
        try (Connection c = dataSource(config).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
