package dev.drover.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A request whose database session is ended under it (the server restarting, an operator's pg_terminate_backend, or
 * idle_in_transaction_session_timeout cutting off a node that stopped mid-transaction) is answered 503
 * {@code resource_unavailable}, retryable, with {@code Retry-After}: the database went away, not a bug of Drover's,
 * and its transaction was rolled back. The session here is really ended: the request waits for the event counter,
 * which the test holds, and the test terminates the waiting backend.
 */
class LostDatabaseSessionPostgresTest {
    @Test
    void aRequestWhoseDatabaseSessionIsEndedUnderItIsAnswered503AndTheNextOneIsServed() throws Exception {
        ServerConfig config = Backend.POSTGRES.freshConfig().withTeamConcurrency(0);
        try (TestServer server = TestServer.start(Backend.POSTGRES, config);
                Connection test = connect(config);
                Connection watch = connect(config)) { // pg_stat_activity is read once per transaction: another session

            Api admin = server.admin();
            String run = admin.createRun(Map.of("prompt", "p", "config", Map.of("worker_host", "nobody")));
            test.setAutoCommit(false);
            try (Statement s = test.createStatement()) {
                s.execute("SELECT value FROM event_counter WHERE id = 1 FOR UPDATE"); // every append waits for it
            }
            CompletableFuture<Api.Reply> cancel = CompletableFuture.supplyAsync(() ->
                    admin.post("/agent/runs/" + run + "/cancel", (String) null));
            int waiting = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> waitingForTheCounter(watch),
                    pid -> pid > 0);
            try (Statement s = watch.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + waiting + ")");
            }
            Api.Reply reply = cancel.get(20, TimeUnit.SECONDS);
            test.rollback();

            assertThat(reply.status()).as(reply.toString()).isEqualTo(503);
            assertThat(reply.header("content-type")).startsWith("application/problem+json");
            assertThat(reply.header("retry-after")).isEqualTo("1");
            assertThat(reply.header("x-should-retry")).isEqualTo("true");
            assertThat(reply.json().get("type").asText()).endsWith("/resource_unavailable");
            assertThat(reply.json().get("detail").asText()).startsWith("database: the connection to the database was lost");
            assertThat(admin.get("/agent/runs/" + run).json().get("state").asText())
                    .as("the cancel was rolled back").isEqualTo("QUEUED");
            assertThat(admin.post("/agent/runs/" + run + "/cancel", (String) null).status())
                    .as("the pool replaced the lost connection").isEqualTo(200);
        }
    }

    private static Connection connect(ServerConfig config) throws Exception {
        return DriverManager.getConnection(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    }

    /** The backend of Drover's that waits for the counter's row lock, or 0. */
    private static int waitingForTheCounter(Connection watch) throws Exception {
        try (Statement s = watch.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT pid FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND query LIKE '%event_counter%' AND pid <> pg_backend_pid()""")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
