package dev.drover.server.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One rule for text in every body (docs/api.md, "Text"): NUL is refused naming the field; blank is refused where
 * a value must say something, and means "absent" only where the documentation says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TextRuleTest {
    TestServer server;
    Api api;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE);
        api = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static void refused(Api.Reply r, String detailStart) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).startsWith(detailStart);
    }

    @Test
    void aNulIsRefusedNamingTheFieldInPromptsMetadataHarnessCommandsAndSchedules() {
        Api api = server.newTenant("nul-" + UUID.randomUUID()); // alone in its team: it sees only what it wrote
        String nul = "a\u0000b";
        refused(api.post("/agent/runs", Map.of("prompt", nul)), "prompt: must not contain the NUL character");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "metadata", Map.of("k", nul))), "metadata.k: must not contain");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                Map.of("type", "command", "command", nul)))), "config.harness.command: must not contain");
        refused(api.post("/agent/schedules", Map.of("name", nul, "cron_schedule", "0 0 1 1 *", "prompt", "p")),
                "name: must not contain");
        refused(api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 0 1 1 *", "prompt", nul)),
                "prompt: must not contain");
        refused(api.post("/agent/messages", Map.of("to", List.of(UUID.randomUUID().toString()), "subject", "s",
                "body", "b", "sender_run_id", nul)), "sender_run_id: must not contain");
        assertThat(api.get("/agent/runs").json().get("runs")).isEmpty();
        assertThat(api.get("/agent/schedules").json().get("schedules")).isEmpty();
    }

    @Test
    void aNulInAQueryValueIsRefusedNamingTheParameter() {
        refused(api.get("/agent/runs?q=a%00b"), "q: must not contain the NUL character");
        refused(api.get("/agent/runs?metadata%5Bk%5D=%00"), "metadata[k]: must not contain");
    }

    @Test
    void aBlankPromptOrReferenceIsRefusedInsteadOfTakenForAbsent() {
        refused(api.post("/agent/runs", Map.of("prompt", "  ")), "prompt: must not be blank");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("worker_host", ""))),
                "config.worker_host: must not be blank");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "parent_run_id", " ")), "parent_run_id: must not be blank");
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("model_id", ""))),
                "config.model_id: must not be blank");
        refused(api.post("/agent/schedules", Map.of("name", " ", "cron_schedule", "0 0 1 1 *", "prompt", "p")),
                "name: is required and must not be blank");
        refused(api.post("/agent/events/" + UUID.randomUUID(), Map.of("event_type", "")), "event_type: is required");
    }

    @Test
    void aBlankTitleOrDescriptionMeansNoneAsDocumented() {
        String run = api.createRun(Map.of("prompt", "Fix the build", "title", "   "));
        assertThat(api.get("/agent/runs/" + run).json().get("title").asText()).isEqualTo("Fix the build");
        String env = api.createEnvironment(Map.of("name", "e", "description", "  "));
        assertThat(api.get("/agent/environments/" + env).json().get("config").has("description")).isFalse();
    }

    @Test
    void aWorkerHostNoWorkerHasJoinedIsAcceptedWithAWarningThatSaysSo() {
        String pool = "gpu-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> run = Map.of("prompt", "p", "config", Map.of("worker_host", pool));
        Api.Reply waiting = api.post("/agent/runs", run);
        assertThat(waiting.status()).isEqualTo(200);
        assertThat(waiting.header("Warning")).startsWith("199 drover \"config.worker_host: no worker of pool " + pool);
        Api.Reply schedule = api.post("/agent/schedules", Map.of("name", "n", "cron_schedule", "0 0 1 1 *",
                "prompt", "p", "agent_config", Map.of("worker_host", pool)));
        assertThat(schedule.status()).isEqualTo(201);
        assertThat(schedule.header("Warning")).contains("agent_config.worker_host: no worker of pool " + pool);
        assertThat(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("worker_host", "default")))
                .header("Warning")).as("the default pool always exists").isNull();
        Api worker = server.newWorkerKey("w-" + pool);
        assertThat(worker.post("/workers", Map.of("name", "w", "pool", pool)).status()).isEqualTo(200);
        assertThat(api.post("/agent/runs", run).header("Warning")).isNull();
    }

    @Test
    void aWorkerHostThatCannotNameAPoolIsRefused() {
        refused(api.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("worker_host", "gpu pool\r\nX: y"))),
                "config.worker_host: 1 to 128 characters");
    }

    @Test
    void aNulInRecordedAgentOutputIsReplacedNotRefusedSoAnAgentPrintingBinaryKeepsItsRun() {
        Api worker = server.newWorkerKey("w-output-" + UUID.randomUUID());
        String w = worker.post("/workers", Map.of("name", "w", "pool", "output-pool")).json().get("worker_id").asText();
        String run = api.createRun(Map.of("prompt", "print binary", "config", Map.of("worker_host", "output-pool")));
        assertThat(worker.post("/workers/" + w + "/claim?wait=0", (String) null).status()).isEqualTo(200);
        Api.Reply appended = worker.post("/workers/" + w + "/runs/" + run + "/transcript", Map.of("messages",
                List.of(Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", "a\u0000b"))))));
        assertThat(appended.status()).as(appended.toString()).isEqualTo(200);
        assertThat(api.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages").get(0)
                .get("content").get(0).get("text").asText()).isEqualTo("a\uFFFDb");
    }
}
