package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: help, and the operator key commands against a real database and server. */
class CliTest {

    /** Runs the CLI and returns its exit code with what it printed to stdout. */
    record Result(int code, String out) {}

    static synchronized Result cli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void serveHelpDocumentsEveryFlagWithItsEnvironmentVariable() {
        Result r = cli("serve", "--help");
        assertThat(r.code()).isZero();
        for (String s : new String[] {"--host", "DROVER_HOST", "--port", "DROVER_PORT", "--data-dir", "DROVER_DATA_DIR",
            "--database-url", "DROVER_DATABASE_URL", "DROVER_DATABASE_USER", "--public-url", "DROVER_PUBLIC_URL",
            "--log-level", "DROVER_LOG_LEVEL", "--workers", "DROVER_WORKERS", "--models-file", "DROVER_MODELS_FILE",
            "--team-concurrency", "DROVER_TEAM_CONCURRENCY"}) {
            assertThat(r.out()).contains(s);
        }
    }

    @Test
    void aWorkerKeyMadeOnTheCommandLineCanRegisterAWorker() {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String data = server.server().config().dataDir().toString();
            assertThat(cli("keys", "create", "--data-dir", data, "--name", "w", "--user", "a@b.c", "--worker").code())
                    .isEqualTo(2);
            Result created = cli("keys", "create", "--data-dir", data, "--name", "w", "--service-account", "workers",
                    "--worker");
            Api worker = new Api(server.apiBaseUrl(), created.out().strip());
            assertThat(worker.post("/workers", "{\"name\":\"w1\"}").status()).isEqualTo(200);
            assertThat(cli("keys", "list", "--data-dir", data).out()).contains("service_account/worker");
        }
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(cli("frobnicate").code()).isEqualTo(2);
    }

    @Test
    void anUnknownLogLevelIsAUsageError(@TempDir Path dir) {
        assertThat(cli("serve", "--log-level", "loud", "--port", "0", "--data-dir", dir.toString()).code()).isEqualTo(2);
        assertThat(dir).isEmptyDirectory(); // refused before anything was started or written
    }

    /** The listing row of the key with {@code prefix}. */
    private static String row(String listing, String prefix) {
        return listing.lines().filter(l -> l.contains(prefix)).findFirst().orElseThrow().strip();
    }

    @Test
    void keysCreatedOnTheCommandLineAuthenticateUntilRevoked(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            Path data = server.server().config().dataDir();
            Result created = cli("keys", "create", "--data-dir", data.toString(), "--name", "ci",
                    "--service-account", "ci-bot", "--team", "platform");
            assertThat(created.code()).isZero();
            String key = created.out().strip();
            assertThat(key).startsWith("drv_");

            Api bot = new Api(server.apiBaseUrl(), key);
            Api.Reply run = bot.post("/agent/runs", "{\"prompt\":\"from the bot\"}");
            assertThat(run.status()).as(run.toString()).isEqualTo(200);
            assertThat(bot.get("/agent/runs/" + run.json().get("run_id").asText()).json().get("creator").get("type").asText())
                    .isEqualTo("service_account");

            Result listed = cli("keys", "list", "--data-dir", data.toString());
            assertThat(listed.out()).contains("ci-bot").contains("bootstrap admin key").doesNotContain(key)
                    .contains("LAST USED").contains("REVOKED");
            String prefix = key.substring(0, 10);
            // the bot's key has been used and is not revoked: a timestamp, then "-"
            assertThat(row(listed.out(), prefix)).matches(".*ci-bot\\s+\\S+Z\\s+\\S+Z\\s+-$");

            assertThat(cli("keys", "revoke", "--data-dir", data.toString(), prefix).code()).isZero();
            assertThat(row(cli("keys", "list", "--data-dir", data.toString()).out(), prefix))
                    .matches(".*ci-bot\\s+\\S+Z\\s+\\S+Z\\s+\\S+Z$");
            // a new server on the same data has no cached principal: the key is refused at once
            server.close();
            try (TestServer again = TestServer.start(Backend.SQLITE, server.server().config())) {
                assertThat(new Api(again.apiBaseUrl(), key).get("/agent/runs").status()).isEqualTo(401);
            }
            assertThat(cli("keys", "revoke", "--data-dir", data.toString(), prefix).code()).isEqualTo(1);
        }
        assertThat(Files.exists(dir)).isTrue();
    }
}
