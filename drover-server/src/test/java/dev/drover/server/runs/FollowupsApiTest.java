package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /agent/runs/{runId}/followups} as the API answers it (the turns themselves are executed in
 * drover-worker's FollowupsEndToEndTest): ended runs continued once, tenancy, bad input, idempotency, the agent's
 * lane; and the newer SDK's handoff attachments. Runs here go to a pool no worker serves, so they stay where the test
 * puts them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FollowupsApiTest {
    abstract Backend backend();

    TestServer server;
    Api user;
    Api workerKey;
    String workerId;

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        user = server.admin();
        workerKey = server.newWorkerKey("fu-" + UUID.randomUUID());
        workerId = workerKey.post("/workers", Map.of("name", "fu", "pool", "fu-lane")).json().get("worker_id").asText();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String idleRun(String prompt) {
        return user.createRun(Map.of("prompt", prompt, "config", Map.of("worker_host", "nobody-serves-this")));
    }

    private String cancelledRun() {
        String run = idleRun("to be cancelled " + UUID.randomUUID());
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        return run;
    }

    private List<String> eventTypes(String run) {
        List<String> out = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run + "&limit=500").json().forEach(e -> out.add(e.get("event_type").asText()));
        return out;
    }

    private List<JsonNode> followupsInInbox(String run) {
        List<JsonNode> out = new ArrayList<>();
        user.get("/agent/messages/" + run).json().forEach(m -> {
            if ("followup".equals(m.path("kind").asText())) {
                out.add(m);
            }
        });
        return out;
    }

    private static void assertProblem(Api.Reply r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field + ":");
    }

    @Test
    void aCancelledRunIsContinuedAndQueuedAgainWithARunContinuedEvent() {
        String run = cancelledRun();
        Api.Reply r = user.post("/agent/runs/" + run + "/followups", Map.of("message", "try again", "mode", "plan"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).isEqualTo("handoff_execution");
        assertThat(r.json().get("run_id").asText()).isEqualTo(run);
        JsonNode now = user.get("/agent/runs/" + run).json();
        assertThat(now.get("state").asText()).isEqualTo("QUEUED");
        assertThat(now.get("status_message").get("message").asText()).startsWith("Continued by a follow-up");
        assertThat(now.get("is_sandbox_running").asBoolean()).isFalse();
        List<String> types = eventTypes(run);
        assertThat(types).containsSubsequence("run_queued", "run_cancelled", "run_continued");
        List<JsonNode> followups = followupsInInbox(run);
        assertThat(followups).hasSize(1);
        assertThat(followups.getFirst().get("message_id").asText()).isEqualTo(r.json().get("followup_id").asText());
        assertThat(followups.getFirst().get("mode").asText()).isEqualTo("plan");
        assertThat(followups.getFirst().get("sender_run_id").asText()).isEqualTo(run);
    }

    @Test
    void aQueuedRunKeepsTheFollowUpForItsFirstStep() {
        String run = idleRun("queued " + UUID.randomUUID());
        Api.Reply r = user.post("/agent/runs/" + run + "/followups", Map.of("message", "also this"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).isEqualTo("queue_pending");
        assertThat(r.json().get("state").asText()).isEqualTo("QUEUED");
        assertThat(eventTypes(run)).containsExactly("run_queued", "new_message");
        assertThat(followupsInInbox(run)).hasSize(1);
    }

    @Test
    void twoFollowUpsRacingOnAnEndedRunContinueItOnceAndBothMessagesAreKept() throws Exception {
        for (int round = 0; round < 5; round++) {
            String run = cancelledRun();
            CyclicBarrier barrier = new CyclicBarrier(2);
            List<CompletableFuture<Api.Reply>> sent = new ArrayList<>();
            for (String message : List.of("first", "second")) {
                sent.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return user.post("/agent/runs/" + run + "/followups", Map.of("message", message));
                }));
            }
            List<String> outcomes = new ArrayList<>();
            for (CompletableFuture<Api.Reply> f : sent) {
                Api.Reply r = f.get();
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                outcomes.add(r.json().get("outcome").asText());
            }
            assertThat(outcomes).containsExactlyInAnyOrder("handoff_execution", "queue_pending");
            assertThat(eventTypes(run).stream().filter("run_continued"::equals)).hasSize(1);
            assertThat(followupsInInbox(run)).hasSize(2);
        }
    }

    @Test
    void aForeignRunIsNotFoundAndLooksLikeAnUnknownOne() {
        String run = cancelledRun();
        Api stranger = server.newTenant("fu-stranger-" + UUID.randomUUID());
        Api.Reply foreign = stranger.post("/agent/runs/" + run + "/followups", Map.of("message", "hi"));
        Api.Reply unknown = stranger.post("/agent/runs/" + UUID.randomUUID() + "/followups", Map.of("message", "hi"));
        assertProblem(foreign, 404, "runId");
        assertProblem(unknown, 404, "runId");
        assertThat(foreign.header("x-should-retry")).isEqualTo("false");
        assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void badFollowUpsAre400NamingTheField() {
        String run = cancelledRun();
        String path = "/agent/runs/" + run + "/followups";
        assertProblem(user.post(path, Map.of("message", "x", "mode", "fast")), 400, "mode");
        assertProblem(user.post(path, Map.of("mode", "plan")), 400, "message");
        assertProblem(user.post(path, Map.of("message", "  ")), 400, "message");
        assertProblem(user.post(path, "{\"message\":\"x\",\"attachments\":[{\"attachment_id\":\"" + UUID.randomUUID() + "\"}]}"),
                400, "attachments");
        assertProblem(user.post(path, "{\"message\":\"a\\u0000b\"}"), 400, "message");
        assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aLocalRunThatEndedCannotBeContinuedHere() {
        Api.Reply created = user.post("/agent/runs", "{\"prompt\":\"local\"}", Map.of("X-Drover-Execution-Location", "LOCAL"));
        String run = created.json().get("run_id").asText();
        assertThat(user.post("/agent/events/" + run, Map.of("event_type", "run_cancelled",
                "status_message", Map.of("message", "stopped"))).status()).isEqualTo(200);
        Api.Reply r = user.post("/agent/runs/" + run + "/followups", Map.of("message", "again"));
        assertProblem(r, 422, "runId");
    }

    @Test
    void aLocalRunInProgressGetsTheFollowUpInItsInboxAndItsClientStillEndsIt() {
        Api.Reply created = user.post("/agent/runs", "{\"prompt\":\"local\"}", Map.of("X-Drover-Execution-Location", "LOCAL"));
        String run = created.json().get("run_id").asText();
        assertThat(user.post("/agent/events/" + run, Map.of("event_type", "run_in_progress")).status()).isEqualTo(200);
        Api.Reply r = user.post("/agent/runs/" + run + "/followups", Map.of("message", "one more thing"));
        assertThat(r.json().get("outcome").asText()).isEqualTo("live_session");
        assertThat(followupsInInbox(run)).hasSize(1);
        Api.Reply ended = user.post("/agent/events/" + run, Map.of("event_type", "run_succeeded"));
        assertThat(ended.status()).as(ended.toString()).isEqualTo(200);
        assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(eventTypes(run)).doesNotContain("run_continued");
    }

    @Test
    void anIdempotencyKeyAnswersARepeatWithTheFirstReplyAndRefusesAnotherBodyForGood() {
        String run = cancelledRun();
        String path = "/agent/runs/" + run + "/followups";
        Map<String, String> key = Map.of("Idempotency-Key", "fu-" + UUID.randomUUID());
        Api.Reply first = user.post(path, "{\"message\":\"once\"}", key);
        Api.Reply again = user.post(path, "{\"message\":\"once\"}", key);
        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("followup_id").asText()).isEqualTo(first.json().get("followup_id").asText());
        assertThat(again.json().get("outcome").asText()).isEqualTo("handoff_execution");
        assertThat(followupsInInbox(run)).hasSize(1);
        Api.Reply other = user.post(path, "{\"message\":\"something else\"}", key);
        assertProblem(other, 409, "Idempotency-Key");
        assertThat(other.header("x-should-retry")).isEqualTo("false");
        assertThat(other.json().get("retryable").asBoolean()).isFalse();
    }

    /** A run of the lane pool, claimed; returns its run token's client. */
    private Api agentOf(String runId) {
        for (int i = 0; i < 10; i++) {
            Api.Reply r = workerKey.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
            if (r.status() == 200 && r.json().get("run").get("run_id").asText().equals(runId)) {
                return new Api(server.apiBaseUrl(), r.json().get("run_token").asText());
            }
        }
        throw new AssertionError("run " + runId + " was not claimed");
    }

    @Test
    void anAgentFollowsUpTheRunsBelowItsOwnButNeitherItsOwnRunNorASibling() {
        String parent = user.createRun(Map.of("prompt", "parent", "config", Map.of("worker_host", "fu-lane")));
        Api agent = agentOf(parent);
        String sibling = idleRun("a sibling");
        Api.Reply child = agent.post("/agent/runs", Map.of("prompt", "child", "parent_run_id", parent,
                "config", Map.of("worker_host", "nobody-serves-this")));
        assertThat(child.status()).as(child.toString()).isEqualTo(200);
        String childId = child.json().get("run_id").asText();

        Api.Reply ok = agent.post("/agent/runs/" + childId + "/followups", Map.of("message", "more, please"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertProblem(agent.post("/agent/runs/" + parent + "/followups", Map.of("message", "loop")), 403, "runId");
        assertProblem(agent.post("/agent/runs/" + sibling + "/followups", Map.of("message", "hi")), 404, "runId");
        assertThat(followupsInInbox(parent)).isEmpty();
        assertThat(followupsInInbox(sibling)).isEmpty();
    }

    private JsonNode claim(String runId) {
        for (int i = 0; i < 10; i++) {
            Api.Reply r = workerKey.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
            if (r.status() == 200 && r.json().get("run").get("run_id").asText().equals(runId)) {
                return r.json();
            }
        }
        throw new AssertionError("run " + runId + " was not claimed");
    }

    private Api.Reply report(String runId, String type, String executionId) {
        return workerKey.post("/agent/events/" + runId, Map.of("event_type", type, "execution_id", executionId));
    }

    @Test
    void aContinuedRunIsANewExecutionAndTheOldOnesReportsAreRefusedForGood() {
        String run = user.createRun(Map.of("prompt", "two turns", "config", Map.of("worker_host", "fu-lane")));
        JsonNode first = claim(run);
        String old = first.get("execution_id").asText();
        assertThat(first.get("turn").asInt()).isEqualTo(1);
        assertThat(report(run, "run_in_progress", old).status()).isEqualTo(200);
        assertThat(workerKey.post("/workers/" + workerId + "/runs/" + run + "/transcript", Map.of("messages",
                List.of(Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", "turn one said this")))))
                ).status()).isEqualTo(200);
        assertThat(report(run, "run_succeeded", old).status()).isEqualTo(200);

        assertThat(user.post("/agent/runs/" + run + "/followups", Map.of("message", "and now?")).json()
                .get("outcome").asText()).isEqualTo("handoff_execution");
        JsonNode second = claim(run);
        String fresh = second.get("execution_id").asText();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(second.get("turn").asInt()).isEqualTo(2);
        // the claim's history ends with the run's own transcript so far
        JsonNode steps = second.get("history").get("steps");
        assertThat(steps.get(steps.size() - 1).get("id").asText()).isEqualTo(run);
        assertThat(steps.toString()).contains("turn one said this");

        Api.Reply stale = report(run, "run_failed", old);
        assertThat(stale.status()).as(stale.toString()).isEqualTo(409);
        assertThat(stale.header("x-should-retry")).isEqualTo("false");
        assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CLAIMED");
        assertThat(workerKey.post("/workers/" + workerId + "/runs/" + run + "/transcript", Api.toJson(Map.of("messages",
                List.of(Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", "late")))))),
                Map.of("X-Drover-Execution-Id", old)).status()).isEqualTo(404);
        assertThat(report(run, "run_in_progress", fresh).status()).isEqualTo(200);
        assertThat(report(run, "run_succeeded", fresh).status()).isEqualTo(200);
        assertThat(eventTypes(run)).containsSubsequence("run_succeeded", "run_continued", "run_pending", "run_claimed",
                "run_in_progress", "run_succeeded");
    }

    @Test
    void aNewRunOfAConversationIsClaimedWithTheEarlierRunsTranscriptsAsItsHistoryAndAFirstRunWithNone() {
        String first = user.createRun(Map.of("prompt", "opening", "config", Map.of("worker_host", "fu-lane")));
        JsonNode claimed = claim(first);
        assertThat(claimed.path("history").isMissingNode() || claimed.path("history").isNull()).as(claimed.toString())
                .isTrue();
        String execution = claimed.get("execution_id").asText();
        assertThat(report(first, "run_in_progress", execution).status()).isEqualTo(200);
        assertThat(workerKey.post("/workers/" + workerId + "/runs/" + first + "/transcript", Map.of("messages",
                List.of(Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", "the opening said this")))))
                ).status()).isEqualTo(200);
        assertThat(report(first, "run_succeeded", execution).status()).isEqualTo(200);
        String conversation = user.get("/agent/runs/" + first).json().get("conversation_id").asText();

        String second = user.createRun(Map.of("prompt", "next", "conversation_id", conversation,
                "config", Map.of("worker_host", "fu-lane")));
        JsonNode steps = claim(second).get("history").get("steps");
        assertThat(steps).hasSize(1);
        assertThat(steps.get(0).get("id").asText()).isEqualTo(first);
        assertThat(steps.toString()).contains("the opening said this");
    }

    @Test
    void aFollowUpRacingTheEndOfATurnIsNeverLost() throws Exception {
        for (int round = 0; round < 8; round++) {
            String run = user.createRun(Map.of("prompt", "racing " + round, "config", Map.of("worker_host", "fu-lane")));
            String execution = claim(run).get("execution_id").asText();
            assertThat(report(run, "run_in_progress", execution).status()).isEqualTo(200);
            CyclicBarrier barrier = new CyclicBarrier(2);
            CompletableFuture<Api.Reply> followUp = CompletableFuture.supplyAsync(() -> {
                await(barrier);
                return user.post("/agent/runs/" + run + "/followups", Map.of("message", "one more"));
            });
            CompletableFuture<Api.Reply> end = CompletableFuture.supplyAsync(() -> {
                await(barrier);
                return report(run, "run_succeeded", execution);
            });
            assertThat(followUp.get().status()).as(followUp.get().toString()).isEqualTo(200);
            assertThat(end.get().status()).as(end.get().toString()).isEqualTo(200);
            // whichever committed first, the turn ended and the run is queued for another one that takes the message
            assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("QUEUED");
            assertThat(eventTypes(run)).containsSubsequence("run_succeeded", "run_continued");
            assertThat(eventTypes(run).stream().filter("run_continued"::equals)).hasSize(1);
            List<JsonNode> kept = followupsInInbox(run);
            assertThat(kept).hasSize(1);
            assertThat(kept.getFirst().get("read_at").isNull()).isTrue();
            // the next turn is claimed and ended so that the lane pool is empty for the next round
            String next = claim(run).get("execution_id").asText();
            report(run, "run_in_progress", next);
            report(run, "run_cancelled", next);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aContinuedRunWaitsForItsTeamsConcurrencyLikeANewRun() {
        try (TestServer capped = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(1))) {
            Api owner = capped.admin();
            Api key = capped.newWorkerKey("cap-" + UUID.randomUUID());
            String worker = key.post("/workers", Map.of("name", "cap", "pool", "cap")).json().get("worker_id").asText();
            String ended = owner.createRun(Map.of("prompt", "ended", "config", Map.of("worker_host", "cap")));
            owner.post("/agent/runs/" + ended + "/cancel", (String) null);
            String busy = owner.createRun(Map.of("prompt", "busy", "config", Map.of("worker_host", "cap")));
            Api.Reply first = key.post("/workers/" + worker + "/claim?wait=0&accept=true", (String) null);
            assertThat(first.json().get("run").get("run_id").asText()).isEqualTo(busy);

            assertThat(owner.post("/agent/runs/" + ended + "/followups", Map.of("message", "again")).status()).isEqualTo(200);
            assertThat(key.post("/workers/" + worker + "/claim?wait=0&accept=true", (String) null).status())
                    .as("the team already runs its one run").isEqualTo(204);
            String execution = first.json().get("execution_id").asText();
            key.post("/agent/events/" + busy, Map.of("event_type", "run_in_progress", "execution_id", execution));
            key.post("/agent/events/" + busy, Map.of("event_type", "run_succeeded", "execution_id", execution));
            Api.Reply next = key.post("/workers/" + worker + "/claim?wait=0&accept=true", (String) null);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.json().get("run").get("run_id").asText()).isEqualTo(ended);
        }
    }

    @Test
    void handoffAttachmentsListTheRunsInputFilesWithSignedLinksThatWorkWithoutAKey() throws Exception {
        byte[] bytes = "a note for the agent".getBytes(StandardCharsets.UTF_8);
        String run = user.createRun(Map.of("prompt", "with a file", "config", Map.of("worker_host", "nobody-serves-this"),
                "attachments", List.of(Map.of("file_name", "note.txt", "mime_type", "text/plain",
                        "data", Base64.getEncoder().encodeToString(bytes)))));
        Api.Reply r = user.get("/agent/runs/" + run + "/handoff/attachments");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode attachments = r.json().get("attachments");
        assertThat(attachments).hasSize(1);
        JsonNode a = attachments.get(0);
        assertThat(a.get("filename").asText()).isEqualTo("note.txt");
        assertThat(a.get("mime_type").asText()).isEqualTo("text/plain");
        assertThat(a.get("attachment_id").asText()).hasSize(36);
        String url = a.get("download_url").asText();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(bytes);
        // the signature covers the attachment: another id with the same signature is refused
        String forged = url.replace(a.get("attachment_id").asText(), UUID.randomUUID().toString());
        assertThat(http.send(HttpRequest.newBuilder(URI.create(forged)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(403);

        assertThat(user.get("/agent/runs/" + idleRun("no files") + "/handoff/attachments").json().get("attachments"))
                .isEmpty();
        Api stranger = server.newTenant("fu-files-" + UUID.randomUUID());
        assertProblem(stranger.get("/agent/runs/" + run + "/handoff/attachments"), 404, "runId");
    }
}
