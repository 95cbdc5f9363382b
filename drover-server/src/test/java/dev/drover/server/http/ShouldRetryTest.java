package dev.drover.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.RawHttp;
import dev.drover.server.testing.TestServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code x-should-retry}, which the official SDKs obey before their status rule (that rule alone would retry every
 * 409): each kind of conflict says whether repeating the same request can succeed, and the header always agrees
 * with the problem's {@code retryable}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ShouldRetryTest {
    abstract Backend backend();

    TestServer server;
    Api user;

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        user = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static void assertRetry(Api.Reply r, int status, boolean retry) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.header("x-should-retry")).as(r.toString()).isEqualTo(Boolean.toString(retry));
        assertThat(r.json().get("retryable").asBoolean()).isEqualTo(retry);
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyIsAConflictNotToRetry() {
        Map<String, String> key = Map.of("Idempotency-Key", "k-" + UUID.randomUUID());
        assertThat(user.post("/agent/runs", "{\"prompt\":\"one\",\"config\":{\"worker_host\":\"idle\"}}", key).status())
                .isEqualTo(200);
        assertRetry(user.post("/agent/runs", "{\"prompt\":\"two\",\"config\":{\"worker_host\":\"idle\"}}", key), 409, false);
    }

    @Test
    void anIllegalTransitionIsAConflictNotToRetry() {
        String run = user.post("/agent/runs", "{\"prompt\":\"local\"}", Map.of("X-Drover-Execution-Location", "LOCAL"))
                .json().get("run_id").asText();
        assertRetry(user.post("/agent/events/" + run, Map.of("event_type", "run_succeeded")), 409, false);
    }

    @Test
    void anEnvironmentInUseIsAConflictNotToRetry() {
        String env = user.createEnvironment(Map.of("name", "in-use-" + UUID.randomUUID(), "github_repos",
                List.of(Map.of("owner", "acme", "repo", "web"))));
        Api.Reply schedule = user.post("/agent/schedules", Map.of("name", "Nightly", "cron_schedule", "0 2 * * *",
                "prompt", "p", "agent_config", Map.of("environment_id", env)));
        assertThat(schedule.status()).as(schedule.toString()).isEqualTo(201);
        assertRetry(user.delete("/agent/environments/" + env), 409, false);
    }

    @Test
    void cancellingARunBeingPreparedIsAConflictToRetryInAMoment() {
        Api workerKey = server.newWorkerKey("retry-" + UUID.randomUUID());
        String worker = workerKey.post("/workers", Map.of("name", "w", "pool", "retry-pool")).json().get("worker_id").asText();
        String run = user.createRun(Map.of("prompt", "pending", "config", Map.of("worker_host", "retry-pool")));
        Api.Reply claim = workerKey.post("/workers/" + worker + "/claim?wait=0&accept=false", (String) null);
        assertThat(claim.json().get("run").get("run_id").asText()).isEqualTo(run);
        assertRetry(user.post("/agent/runs/" + run + "/cancel", (String) null), 409, true);
    }

    @Test
    void clientMistakesAreNotRetried() {
        assertRetry(user.get("/agent/runs/" + UUID.randomUUID()), 404, false);
        assertRetry(user.get("/agent/runs?limit=0"), 400, false);
        assertRetry(server.anonymous().get("/agent/runs"), 401, false);
        assertRetry(user.get("/agent/no-such-endpoint"), 404, false);
        // refused by the web server before routing: the same header
        URI uri = URI.create(server.apiBaseUrl());
        RawHttp.Reply tooLarge = new RawHttp(uri.getHost(), uri.getPort()).send("GET", "/api/v1/agent/runs",
                Map.of("X-Padding", "a".repeat(70_000)), null);
        assertThat(tooLarge.status()).isBetween(400, 499);
        assertThat(tooLarge.header("x-should-retry")).isEqualTo("false");
    }

    @Test
    void theTranscriptAndConversationOfARunWithoutOneAreNotFound() {
        String run = user.createRun(Map.of("prompt", "never executed", "config", Map.of("worker_host", "idle")));
        Api.Reply conversation = user.get("/agent/runs/" + run + "/conversation");
        assertRetry(conversation, 404, false);
        assertThat(conversation.json().get("detail").asText()).startsWith("runId:").contains("transcript");
        assertRetry(user.get("/agent/runs/" + run + "/transcript"), 404, false);
    }
}
