package dev.drover.server.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Workers in their lane: a report counts only from the execution (worker and attempt) that holds the run, a
 * report repeated after it took effect changes nothing, leases survive a control-plane restart, and LOCAL runs
 * whose client went away stop holding their team's capacity.
 */
abstract class FencingTest {

    abstract Backend backend();

    private static JsonNode claimAccepted(Api worker, String workerId) {
        Api.Reply r = worker.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static Api.Reply report(Api worker, String executionId, String run, String type) {
        return worker.post("/agent/events/" + run, Map.of("event_type", type, "execution_id", executionId));
    }

    private static String state(Api api, String run) {
        return api.get("/agent/runs/" + run).json().get("state").asText();
    }

    private static List<String> types(Api api, String run) {
        List<String> types = new ArrayList<>();
        api.get("/agent/events?run_ids=" + run).json().forEach(e -> types.add(e.get("event_type").asText()));
        return types;
    }

    @Test
    void aStaleWorkerCannotMoveARunThatAnotherWorkerReclaimedAfterItsLeaseExpired() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig(), clock)) {
            Api user = server.admin();
            // one key, two workers: the key alone cannot tell them apart, the execution id must
            Api key = server.newWorkerKey("fleet-" + UUID.randomUUID());
            String stale = WorkersApiTest.register(key, "default");
            String run = user.createRun("re-claimed");
            JsonNode first = claimAccepted(key, stale);
            String staleExecution = first.get("execution_id").asText();
            assertThat(staleExecution).isEqualTo(stale + ":1");
            // the first worker goes quiet before starting the agent: its lease runs out, the run is queued again ...
            clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () -> state(user, run).equals("QUEUED"));
            Api.Reply whileQueued = report(key, staleExecution, run, "run_failed");
            assertThat(whileQueued.status()).as("leased to no worker of this key: " + whileQueued).isEqualTo(404);
            assertThat(state(user, run)).isEqualTo("QUEUED");

            // ... and the second claims it
            String fresh = WorkersApiTest.register(key, "default");
            String freshExecution = claimAccepted(key, fresh).get("execution_id").asText();
            assertThat(freshExecution).isEqualTo(fresh + ":2");
            for (String type : List.of("run_in_progress", "run_failed", "run_cancelled", "run_errored")) {
                Api.Reply refused = report(key, staleExecution, run, type);
                assertThat(refused.status()).as(type + ": " + refused).isEqualTo(409);
                assertThat(refused.header("content-type")).startsWith("application/problem+json");
                assertThat(refused.json().get("detail").asText()).startsWith("execution_id:");
                assertThat(refused.json().get("retryable").asBoolean()).isFalse();
            }
            Api.Reply unnamed = key.post("/agent/events/" + run, Map.of("event_type", "run_in_progress"));
            assertThat(unnamed.status()).as("a worker must name its execution").isEqualTo(400);
            assertThat(unnamed.json().get("detail").asText()).startsWith("execution_id");
            assertThat(state(user, run)).isEqualTo("CLAIMED");

            // the stale worker's writes are refused too, however it names itself
            String transcript = "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}";
            assertThat(key.post("/workers/" + stale + "/runs/" + run + "/transcript", transcript).status()).isEqualTo(404);
            assertThat(key.post("/workers/" + fresh + "/runs/" + run + "/transcript", transcript,
                    Map.of("X-Drover-Execution-Id", staleExecution)).status()).isEqualTo(404);

            assertThat(report(key, freshExecution, run, "run_in_progress").status()).isEqualTo(200);
            assertThat(report(key, freshExecution, run, "run_succeeded").status()).isEqualTo(200);
            assertThat(report(key, staleExecution, run, "run_failed").status()).as("after the end too").isEqualTo(409);
            assertThat(state(user, run)).isEqualTo("SUCCEEDED");
            assertThat(types(user, run)).containsExactly("run_queued", "run_pending", "run_claimed", "run_requeued",
                    "run_pending", "run_claimed", "run_in_progress", "run_succeeded");
        }
    }

    /**
     * The agent of a lost execution may still be running on its worker, holding its run token: once the run is
     * claimed again, only the new claim's token acts as the run (the earlier one is deleted by the claim, not merely
     * idle while the run waits in the queue).
     */
    @Test
    void aRunClaimedAgainAfterItsLeaseExpiredRefusesTheEarlierClaimsRunToken() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig(), clock)) {
            Api user = server.admin();
            Api key = server.newWorkerKey("tokens-" + UUID.randomUUID());
            String run = user.createRun("claimed twice, two tokens");
            String earlierToken = claimAccepted(key, WorkersApiTest.register(key, "default")).get("run_token").asText();
            clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () -> state(user, run).equals("QUEUED"));
            String laterToken = claimAccepted(key, WorkersApiTest.register(key, "default")).get("run_token").asText();
            assertThat(laterToken).isNotEqualTo(earlierToken);

            assertThat(new Api(server.apiBaseUrl(), laterToken).get("/agent/runs/" + run).status()).isEqualTo(200);
            Api stale = new Api(server.apiBaseUrl(), earlierToken);
            assertThat(stale.get("/agent/runs/" + run).status()).as("the lost execution's token").isEqualTo(401);
            assertThat(stale.post("/agent/messages", Map.of("to", List.of(run), "subject", "s", "body", "b",
                    "sender_run_id", run)).status()).isEqualTo(401);
        }
    }

    @Test
    void theSameWorkerReclaimingARunCannotReportForItsEarlierAttempt() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig(), clock)) {
            Api user = server.admin();
            Api key = server.newWorkerKey("solo-" + UUID.randomUUID());
            String worker = WorkersApiTest.register(key, "default");
            String run = user.createRun("claimed twice by one worker");
            String earlier = claimAccepted(key, worker).get("execution_id").asText();
            clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () -> state(user, run).equals("QUEUED"));
            String later = claimAccepted(key, worker).get("execution_id").asText();
            assertThat(later).isNotEqualTo(earlier);
            assertThat(report(key, earlier, run, "run_in_progress").status()).isEqualTo(409);
            assertThat(report(key, later, run, "run_in_progress").status()).isEqualTo(200);
        }
    }

    @Test
    void aReportRepeatedAfterItTookEffectAnswersAsTheFirstTimeAndRecordsNothingTwice() {
        try (TestServer server = TestServer.start(backend())) {
            Api user = server.admin();
            Api key = server.newWorkerKey("retry-" + UUID.randomUUID());
            String worker = WorkersApiTest.register(key, "default");
            String run = user.createRun("retried reports");
            String execution = claimAccepted(key, worker).get("execution_id").asText();

            Api.Reply started = report(key, execution, run, "run_in_progress");
            Api.Reply startedAgain = report(key, execution, run, "run_in_progress");
            assertThat(startedAgain.status()).as(startedAgain.toString()).isEqualTo(200);
            assertThat(startedAgain.json().get("sequence").asLong()).isEqualTo(started.json().get("sequence").asLong());

            String append = "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"once\"}]}]}";
            Map<String, String> headers = Map.of("Idempotency-Key", "append-1", "X-Drover-Execution-Id", execution);
            Api.Reply appended = key.post("/workers/" + worker + "/runs/" + run + "/transcript", append, headers);
            Api.Reply appendedAgain = key.post("/workers/" + worker + "/runs/" + run + "/transcript", append, headers);
            assertThat(appendedAgain.status()).as(appendedAgain.toString()).isEqualTo(200);
            assertThat(appendedAgain.json().get("sequence").asLong()).isEqualTo(appended.json().get("sequence").asLong());

            String plan = Api.toJson(Map.of("artifact_type", "PLAN", "content", "# plan"));
            Map<String, String> artifactKey = Map.of("Idempotency-Key", "artifact-1");
            String uid = key.post("/workers/" + worker + "/runs/" + run + "/artifacts", plan, artifactKey).json()
                    .get("artifact_uid").asText();
            assertThat(key.post("/workers/" + worker + "/runs/" + run + "/artifacts", plan, artifactKey).json()
                    .get("artifact_uid").asText()).isEqualTo(uid);

            String usage = Api.toJson(Map.of("model_id", "gpt-4o", "input_tokens", 100, "output_tokens", 10));
            Map<String, String> usageKey = Map.of("Idempotency-Key", "usage-1");
            key.post("/workers/" + worker + "/runs/" + run + "/usage", usage, usageKey);
            Api.Reply usedAgain = key.post("/workers/" + worker + "/runs/" + run + "/usage", usage, usageKey);
            assertThat(usedAgain.json().get("request_usage").get("input_tokens").asLong()).isEqualTo(100);

            Api.Reply done = report(key, execution, run, "run_succeeded");
            Api.Reply doneAgain = report(key, execution, run, "run_succeeded");
            assertThat(doneAgain.status()).as(doneAgain.toString()).isEqualTo(200);
            assertThat(doneAgain.json().get("sequence").asLong()).isEqualTo(done.json().get("sequence").asLong());
            Api.Reply otherEnding = report(key, execution, run, "run_failed");
            assertThat(otherEnding.status()).as("another ending is no repeat").isEqualTo(409);

            assertThat(user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages"))
                    .hasSize(1);
            assertThat(user.get("/agent/runs/" + run).json().get("request_usage").get("input_tokens").asLong())
                    .isEqualTo(100);
            assertThat(types(user, run)).containsExactly("run_queued", "run_pending", "run_claimed", "run_in_progress",
                    "transcript_appended", "artifact_created", "run_succeeded");
        }
    }

    @Test
    void aRestartedControlPlaneGivesLeasesAGracePeriodInsteadOfExpiringThemAtOnce() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        ServerConfig config = backend().freshConfig().withLeaseDuration(Duration.ofSeconds(3));
        String run;
        String workerId;
        Api key;
        try (TestServer before = TestServer.start(backend(), config, clock)) {
            key = before.newWorkerKey("outage-" + UUID.randomUUID());
            workerId = WorkersApiTest.register(key, "default");
            run = before.admin().createRun("survives the outage");
            String execution = claimAccepted(key, workerId).get("execution_id").asText();
            assertThat(report(key, execution, run, "run_in_progress").status()).isEqualTo(200);
        }
        // the whole control plane is down for a minute; by wall clock the lease ran out long ago
        clock.advance(Duration.ofMinutes(1));
        try (TestServer after = TestServer.start(backend(), config, clock)) {
            Api user = after.admin();
            Api worker = new Api(after.apiBaseUrl(), key.key());
            // several sweeps pass; the worker, which kept working, has not got through yet
            Awaitility.await().pollDelay(Duration.ofMillis(2500)).until(() -> true);
            assertThat(state(user, run)).isEqualTo("INPROGRESS");
            assertThat(WorkersApiTest.heartbeat(worker, workerId, run).get(0).get("lost").asBoolean()).isFalse();

            // a worker that stays silent for a whole lease after the restart loses the run as usual
            clock.advance(Duration.ofSeconds(4));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state(user, run).equals("ERROR"));
        }
    }

    @Test
    void anAbandonedLocalRunStopsHoldingItsTeamsCapacityWhenItsLeaseRunsOut() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(1), clock)) {
            Api user = server.admin();
            Map<String, String> local = Map.of("X-Drover-Execution-Location", "LOCAL");
            String localRun = user.post("/agent/runs", "{\"prompt\":\"on my laptop\"}", local).json().get("run_id").asText();
            long started = user.post("/agent/events/" + localRun, Map.of("event_type", "run_in_progress")).json()
                    .get("sequence").asLong();
            String remote = user.createRun("waits for the team's slot");
            Api key = server.newWorkerKey("local-" + UUID.randomUUID());
            String worker = WorkersApiTest.register(key, "default");
            assertThat(WorkersApiTest.claim(key, worker, 0).status()).as("the LOCAL run holds the slot").isEqualTo(204);

            // a repeated run_in_progress is the client's keep-alive: same answer, lease renewed
            clock.advance(Duration.ofMinutes(40));
            Api.Reply alive = user.post("/agent/events/" + localRun, Map.of("event_type", "run_in_progress"));
            assertThat(alive.status()).as(alive.toString()).isEqualTo(200);
            assertThat(alive.json().get("sequence").asLong()).isEqualTo(started);
            clock.advance(Duration.ofMinutes(40)); // 80 minutes after it started, 40 after its last word
            Awaitility.await().pollDelay(Duration.ofMillis(2500)).until(() -> true);
            assertThat(state(user, localRun)).isEqualTo("INPROGRESS");

            clock.advance(Duration.ofMinutes(25)); // an hour and five minutes of silence
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state(user, localRun).equals("ERROR"));
            JsonNode status = user.get("/agent/runs/" + localRun).json().get("status_message");
            assertThat(status.get("error_code").asText()).isEqualTo("resource_unavailable");
            assertThat(status.get("retryable").asBoolean()).isTrue();
            assertThat(WorkersApiTest.claim(key, worker, 0).json().get("run").get("run_id").asText()).isEqualTo(remote);
        }
    }
}
