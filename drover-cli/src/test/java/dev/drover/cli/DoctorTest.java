package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drover doctor}: one line per check, a failing exit status when something needed is broken. */
class DoctorTest {

    /** A stand-in for the providers' model-listing endpoints: the right key lists models, any other is refused. */
    private static HttpServer providers(List<String> seen) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            var h = exchange.getRequestHeaders();
            seen.add(exchange.getRequestURI().getPath());
            boolean good = "Bearer good".equals(h.getFirst("Authorization")) || "good".equals(h.getFirst("x-api-key"))
                    || "good".equals(h.getFirst("x-goog-api-key")) || exchange.getRequestURI().getPath().equals("/api/tags");
            byte[] body = (good ? "{\"data\":[]}" : "{\"error\":\"bad key\"}").getBytes();
            exchange.sendResponseHeaders(good ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        return http;
    }

    @Test
    void eachConfiguredProviderIsCalledWithItsKeyAndARefusedKeyFailsNamingTheVariable() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer http = providers(seen);
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            List<DoctorCommand.Line> lines = DoctorCommand.providers(Map.of(
                    "OPENAI_API_KEY", "good", "OPENAI_BASE_URL", base + "/v1",
                    "ANTHROPIC_API_KEY", "wrong", "ANTHROPIC_BASE_URL", base,
                    "GEMINI_API_KEY", "good", "GEMINI_BASE_URL", base,
                    "OLLAMA_HOST", base));
            assertThat(lines).extracting(DoctorCommand.Line::check)
                    .containsExactly("provider openai", "provider anthropic", "provider gemini", "provider ollama");
            assertThat(lines).extracting(DoctorCommand.Line::status).containsExactly("ok", "FAIL", "ok", "ok");
            assertThat(lines.get(1).detail()).contains("401").contains("the key was refused")
                    .contains("ANTHROPIC_API_KEY").doesNotContain("wrong");
            assertThat(seen).containsExactly("/v1/models", "/v1/models", "/v1beta/models", "/api/tags");
            var out = new java.io.ByteArrayOutputStream();
            assertThat(DoctorCommand.print(lines, new java.io.PrintStream(out, true))).isEqualTo(1);
            assertThat(out.toString()).contains("FAIL  provider anthropic");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void anUnreachableProviderFailsAndNoProviderAtAllIsOnlyNoted() {
        List<DoctorCommand.Line> down = DoctorCommand.providers(Map.of("OPENAI_API_KEY", "k",
                "OPENAI_BASE_URL", "http://127.0.0.1:1/v1"));
        assertThat(down).singleElement().satisfies(l -> {
            assertThat(l.status()).isEqualTo("FAIL");
            assertThat(l.detail()).contains("cannot reach http://127.0.0.1:1/v1/models");
        });
        assertThat(DoctorCommand.providers(Map.of())).singleElement()
                .satisfies(l -> assertThat(l.status()).isEqualTo("skip"));
    }

    @Test
    void theDatabaseAndGitSourceOfAServersDataDirectoryPassAndAMissingRepositoryDirectoryFails(@TempDir Path dir)
            throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String data = server.server().config().dataDir().toString();
            Path repos = Files.createDirectories(dir.resolve("repos"));
            CliTest.Result ok = CliTest.cli("doctor", "--data-dir", data, "--git-base-url", repos.toString());
            assertThat(ok.out()).containsPattern("(?m)^ok +database +SQLite in .* answers")
                    .containsPattern("(?m)^ok +git source +.*repos is a directory");
            CliTest.Result missing = CliTest.cli("doctor", "--data-dir", data, "--git-base-url",
                    dir.resolve("nowhere").toString());
            assertThat(missing.out()).containsPattern("(?m)^FAIL +git source +.*nowhere does not exist");
            assertThat(missing.code()).isEqualTo(1);
        }
        CliTest.Result fresh = CliTest.cli("doctor", "--data-dir", dir.resolve("empty").toString(), "--git-base-url",
                dir.toString());
        assertThat(fresh.out()).containsPattern("(?m)^skip +database +no SQLite database");
        assertThat(dir.resolve("empty/drover.db")).doesNotExist();
    }

    @Test
    void aChosenIsolationBackendThatDoesNotHoldFailsAndNoneIsReportedAsChosen(@TempDir Path dir) {
        var container = new dev.drover.worker.IsolationSettings("container", null, 64055, 64055, null, 1L << 30, 64, 1,
                "unix://" + dir.resolve("no-engine.sock"));
        List<DoctorCommand.Line> lines = DoctorCommand.isolation(container, List.of(dir.resolve("data")), dir.resolve("work"));
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.check()).isEqualTo("isolation container");
            assertThat(l.status()).isEqualTo("FAIL");
            assertThat(l.detail()).contains("no-engine.sock");
        });
        assertThat(DoctorCommand.isolation(dev.drover.worker.IsolationSettings.of("none"), List.of(), dir))
                .singleElement().satisfies(l -> assertThat(l.detail()).contains("unconfined"));
    }
}
