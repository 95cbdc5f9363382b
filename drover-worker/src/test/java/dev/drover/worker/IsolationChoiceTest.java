package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** How a worker's isolation is chosen, refused and reported (GET /workers, transcripts, statuses). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationChoiceTest {
    TestServer server;
    Api user;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0));
        user = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Worker worker(String pool, IsolationSettings settings) throws Exception {
        Api key = server.newWorkerKey("choice-" + UUID.randomUUID());
        return new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "choice-" + pool, pool, 1,
                Files.createTempDirectory("drover-work-"), Duration.ofMinutes(1), WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(server.server().config().dataDir()), Map.of(), Duration.ofSeconds(5)).withIsolation(settings)).start();
    }

    private JsonNode runToEnd(String pool, String command) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("worker_host", pool,
                "harness", Map.of("type", "command", "command", command))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String run = r.json().get("run_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                user.get("/agent/runs/" + run).json().get("state").asText()).isIn("SUCCEEDED", "FAILED", "ERROR"));
        return user.get("/agent/runs/" + run).json();
    }

    private String isolationListed(String workerId) {
        for (JsonNode w : server.admin().get("/workers").json().get("workers")) {
            if (w.get("worker_id").asText().equals(workerId)) {
                return w.path("isolation").asText(null);
            }
        }
        return null;
    }

    private static IsolationSettings containerAt(String mode, String dockerHost) {
        return new IsolationSettings(mode, null, IsolationSettings.DEFAULT_AGENT_ID, IsolationSettings.DEFAULT_AGENT_ID,
                null, IsolationSettings.DEFAULT_MEMORY, IsolationSettings.DEFAULT_PIDS, IsolationSettings.DEFAULT_CPUS,
                dockerHost);
    }

    @Test
    void aWorkerWhoseChosenIsolationDoesNotHoldRefusesEveryRunSayingHowToFixIt() throws Exception {
        try (Worker w = worker("refusing", containerAt("container", "unix:///nonexistent/drover-test.sock"))) {
            assertThat(w.isolation()).isEqualTo("unavailable");
            assertThat(isolationListed(w.workerId())).isEqualTo("unavailable");
            JsonNode done = runToEnd("refusing", "echo should-not-run");
            assertThat(done.get("state").asText()).isEqualTo("FAILED");
            assertThat(done.toString()).contains("feature_not_available").doesNotContain("should-not-run\\n");
            assertThat(done.get("status_message").get("message").asText())
                    .contains("nonexistent/drover-test.sock").contains("container isolation was chosen");
        }
    }

    @Test
    void aWorkerWithIsolationNoneSaysSoLoudlyInEveryRunsTranscript() throws Exception {
        try (Worker w = worker("bare", IsolationSettings.of("none"))) {
            assertThat(isolationListed(w.workerId())).isEqualTo("none");
            JsonNode done = runToEnd("bare", "echo ran");
            assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
            JsonNode first = user.get("/agent/runs/" + done.get("run_id").asText() + "/conversation").json()
                    .get("steps").get(0).get("messages").get(0);
            assertThat(first.get("role").asText()).isEqualTo("system");
            assertThat(first.toString()).contains("\"name\":\"isolation\"").contains("WARNING: isolation: none")
                    .contains("NOT isolated");
        }
    }

    @Test
    void byDefaultAWorkerWithoutAContainerEngineUsesBubblewrapWhenItsProbeHolds() throws Exception {
        boolean bwrap = BubblewrapIsolation.find(IsolationSettings.of("bubblewrap"), List.of(),
                Files.createTempDirectory("drover-probe-")).isolation() != null;
        try (Worker w = worker("auto", containerAt("auto", "unix:///nonexistent/drover-test.sock"))) {
            assertThat(w.isolation()).isEqualTo(bwrap ? "bubblewrap" : "unavailable");
            assertThat(isolationListed(w.workerId())).isEqualTo(w.isolation());
            if (!bwrap) {
                assertThat(w.refusal()).contains("apt-get install bubblewrap").contains("--isolation none");
            }
        }
    }
}
