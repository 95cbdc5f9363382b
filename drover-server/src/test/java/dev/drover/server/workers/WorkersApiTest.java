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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The worker protocol against real servers: register, claim (long-poll), accept, heartbeat, cancel, lease expiry,
 * pools, team limits, and exclusive claims under concurrency.
 *
 * <p>Most tests share one server whose time is a {@link MovableClock}; each works in a {@link Lane} of its own (a
 * new team, a worker key and a pool no other test uses), so runs left behind by one test are never claimed by
 * another. Only a test that needs another configuration (a team limit, a short lease measured in real time, several
 * nodes) starts servers of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WorkersApiTest {

    abstract Backend backend();

    /** Nodes sharing one database in the concurrency test. */
    abstract int nodes();

    private MovableClock clock;
    private TestServer shared;

    @BeforeAll
    void startShared() {
        clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        shared = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0), clock);
    }

    @AfterAll
    void stopShared() {
        shared.close();
    }

    private TestServer start(ServerConfig config) {
        return TestServer.start(backend(), config);
    }

    /** One test's own corner of the shared server: a user of a new team, a worker key, and a pool of its own. */
    record Lane(Api user, Api worker, String pool, MovableClock clock) {
        String register() {
            return WorkersApiTest.register(worker, pool);
        }

        String createRun(String prompt) {
            return createRun(Map.of("prompt", prompt, "config", Map.of("worker_host", pool)));
        }

        /** Runs are claimed oldest first: the clock stands still, so each creation moves it on a little. */
        String createRun(Map<String, ?> body) {
            clock.advance(Duration.ofMillis(1));
            return user.createRun(body);
        }
    }

    private Lane lane() {
        String name = UUID.randomUUID().toString().substring(0, 8);
        return new Lane(shared.newTenant("user-" + name), shared.newWorkerKey("worker-" + name), "pool-" + name,
                clock);
    }

    static String register(Api worker, String pool) {
        Api.Reply r = worker.post("/workers", Map.of("name", "w-" + UUID.randomUUID().toString().substring(0, 8),
                "pool", pool, "slots", 2, "host", "test-host"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("worker_id").asText();
    }

    static Api.Reply claim(Api worker, String workerId, int wait) {
        return worker.post("/workers/" + workerId + "/claim?wait=" + wait, (String) null);
    }

    static JsonNode heartbeat(Api worker, String workerId, String... runIds) {
        Api.Reply r = worker.post("/workers/" + workerId + "/heartbeat", Map.of("run_ids", List.of(runIds)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("leases");
    }

    /** A worker's lifecycle report for the execution (claim) {@code executionId}. */
    static Api.Reply report(Api worker, String executionId, String run, String eventType) {
        return worker.post("/agent/events/" + run, Map.of("event_type", eventType, "execution_id", executionId));
    }

    private static String state(Api api, String run) {
        return api.get("/agent/runs/" + run).json().get("state").asText();
    }

    @Test
    void aClaimWithAcceptTakesTheRunOverInOneStepWithBothEvents() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String workerId = lane.register();
        String run = lane.createRun("at once");
        Api.Reply claimed = worker.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        assertThat(claimed.json().get("run").get("state").asText()).isEqualTo("CLAIMED");
        assertThat(state(user, run)).isEqualTo("CLAIMED");
        assertThat(user.get("/agent/runs/" + run).json().get("is_sandbox_running").asBoolean()).isTrue();
        List<String> types = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run).json().forEach(e -> types.add(e.get("event_type").asText()));
        assertThat(types).containsExactly("run_queued", "run_pending", "run_claimed");
        // the answer is the run as the claim committed it (built inside the claim's transaction), not a later read
        assertThat(claimed.json().get("run").get("is_sandbox_running").asBoolean()).isTrue();
        assertThat(claimed.json().get("run").get("updated_at").asText())
                .isEqualTo(user.get("/agent/runs/" + run).json().get("updated_at").asText());
        List<String> refs = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run).json().forEach(e -> refs.add(e.path("ref_id").asText(null)));
        assertThat(refs).as("both transitions name the worker that took the run").containsExactly(null, workerId,
                workerId);
        // accepting again is harmless, as for a worker retrying its accept
        assertThat(worker.post("/workers/" + workerId + "/runs/" + run + "/accept", (String) null).status())
                .isEqualTo(200);
    }

    @Test
    void aRunGoesFromQueuedThroughAWorkerToSucceeded() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String workerId = lane.register();
        assertThat(claim(worker, workerId, 0).status()).as("nothing queued yet").isEqualTo(204);

        String run = lane.createRun("do the thing");
        Api.Reply claimed = claim(worker, workerId, 0);
        assertThat(claimed.status()).isEqualTo(200);
        assertThat(claimed.json().get("run").get("run_id").asText()).isEqualTo(run);
        assertThat(claimed.json().get("run").get("prompt").asText()).isEqualTo("do the thing");
        assertThat(claimed.json().get("attempt").asInt()).isEqualTo(1);
        assertThat(claimed.json().has("lease_expires_at")).isTrue();
        assertThat(state(user, run)).isEqualTo("PENDING");
        assertThat(claim(worker, workerId, 0).status()).as("claimed once only").isEqualTo(204);

        Api.Reply accepted = worker.post("/workers/" + workerId + "/runs/" + run + "/accept", (String) null);
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.json().get("state").asText()).isEqualTo("CLAIMED");
        assertThat(report(worker, workerId + ":1", run, "run_in_progress").status()).isEqualTo(200);
        assertThat(worker.get("/agent/runs/" + run).status()).as("the worker sees the run it holds").isEqualTo(200);

        JsonNode lease = heartbeat(worker, workerId, run).get(0);
        assertThat(lease.get("state").asText()).isEqualTo("INPROGRESS");
        assertThat(lease.get("lost").asBoolean()).isFalse();
        assertThat(lease.get("cancel_requested").asBoolean()).isFalse();

        Api.Reply done = worker.post("/agent/events/" + run, Map.of("event_type", "run_succeeded", "execution_id", workerId + ":1",
                "status_message", Map.of("message", "All tests pass")));
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        JsonNode finished = user.get("/agent/runs/" + run).json();
        assertThat(finished.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(finished.get("status_message").get("message").asText()).isEqualTo("All tests pass");
        assertThat(heartbeat(worker, workerId, run).get(0).get("lost").asBoolean()).as("a finished run is released").isTrue();

        List<String> types = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run).json().forEach(e -> types.add(e.get("event_type").asText()));
        assertThat(types).containsExactly("run_queued", "run_pending", "run_claimed", "run_in_progress", "run_succeeded");
        assertThat(user.get("/agent/events?run_ids=" + run).json().get(1).get("ref_id").asText()).isEqualTo(workerId);
    }

    @Test
    void onlyTheHoldingWorkerAppendsWellFormedTranscriptMessages() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String w = lane.register();
        String run = lane.createRun("transcribed");
        String path = "/workers/" + w + "/runs/" + run + "/transcript";
        Map<String, Object> good = Map.of("messages", List.of(Map.of("role", "assistant",
                "content", List.of(Map.of("type", "text", "text", "hello")))));
        assertThat(worker.post(path, good).status()).as("not held yet").isEqualTo(404);
        claim(worker, w, 0);
        assertThat(worker.post(path, good).status()).isEqualTo(200);
        Api.Reply badRole = worker.post(path, Map.of("messages", List.of(Map.of("role", "robot",
                "content", List.of(Map.of("type", "text", "text", "x"))))));
        assertThat(badRole.json().get("detail").asText()).startsWith("messages[0].role:");
        Api.Reply badBlock = worker.post(path, Map.of("messages", List.of(Map.of("role", "tool",
                "content", List.of(Map.of("type", "video"))))));
        assertThat(badBlock.json().get("detail").asText()).startsWith("messages[0].content[0].type:");
        assertThat(worker.post(path, Map.of("messages", List.of())).status()).isEqualTo(400);
        JsonNode messages = user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).get("content").get(0).get("text").asText()).isEqualTo("hello");
    }

    @Test
    void plansPullRequestsAndScreenshotsAreRecordedWithTheirOwnShapes() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String w = lane.register();
        String run = lane.createRun("artifacts");
        claim(worker, w, 0);
        String path = "/workers/" + w + "/runs/" + run + "/artifacts";
        String plan = worker.post(path, Map.of("artifact_type", "PLAN", "title", "The plan", "content", "# Steps\n1. fix"))
                .json().get("artifact_uid").asText();
        clock.advance(Duration.ofMillis(1)); // artifacts list oldest first; the shared clock otherwise stands still
        assertThat(worker.post(path, Map.of("artifact_type", "PULL_REQUEST", "url", "https://git.example/acme/api/pull/7",
                "branch", "fix/auth")).status()).isEqualTo(200);
        assertThat(worker.post(path, Map.of("artifact_type", "SCREENSHOT", "mime_type", "text/plain", "data", "aGk="))
                .json().get("detail").asText()).startsWith("mime_type:");
        assertThat(worker.post(path, Map.of("artifact_type", "PULL_REQUEST", "url", "ftp://x", "branch", "b"))
                .json().get("detail").asText()).startsWith("url:");
        assertThat(worker.post(path, Map.of("artifact_type", "MOVIE")).json().get("detail").asText())
                .startsWith("artifact_type:");

        JsonNode planned = user.get("/agent/artifacts/" + plan).json();
        assertThat(planned.get("data").get("content").asText()).isEqualTo("# Steps\n1. fix");
        assertThat(planned.get("data").get("title").asText()).isEqualTo("The plan");
        JsonNode listed = user.get("/agent/runs/" + run).json().get("artifacts");
        assertThat(listed.findValuesAsText("artifact_type")).containsExactly("PLAN", "PULL_REQUEST");
        assertThat(listed.get(1).get("data").get("branch").asText()).isEqualTo("fix/auth");
        List<String> types = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run).json().forEach(e -> types.add(e.get("event_type").asText()));
        assertThat(types).filteredOn("artifact_created"::equals).hasSize(2);
    }

    @Test
    void aRunTokenActsOnItsOwnRunAsItsCreatorUntilTheRunEnds() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String w = lane.register();
        String other = lane.createRun("another run of the same user");
        String run = lane.createRun("tokened");
        Api.Reply claimed;
        do {
            claimed = claim(worker, w, 0); // FIFO: the first claim takes `other`
        } while (!claimed.json().get("run").get("run_id").asText().equals(run));
        String token = claimed.json().get("run_token").asText();
        assertThat(token).startsWith("drt_");
        Api agent = new Api(shared.apiBaseUrl(), token);
        assertThat(agent.get("/agent/runs/" + run).status()).as("sees its own run").isEqualTo(200);
        assertThat(agent.get("/agent/runs/" + other).status()).as("not its creator's other runs").isEqualTo(404);
        assertThat(agent.post("/agent/messages", Map.of("to", List.of(run), "subject", "s", "body", "b",
                "sender_run_id", run)).status()).isEqualTo(200);
        assertThat(agent.post("/agent/messages", Map.of("to", List.of(run), "subject", "s", "body", "b",
                "sender_run_id", other)).status()).as("only as its own run (the other is not even visible)")
                .isEqualTo(404);
        assertThat(agent.post("/workers", Map.of("name", "x")).status()).as("not a worker").isEqualTo(403);
        assertThat(worker.post("/workers/" + w + "/runs/" + run + "/accept", (String) null).status()).isEqualTo(200);
        String execution = claimed.json().get("execution_id").asText();
        assertThat(report(worker, execution, run, "run_in_progress").status()).isEqualTo(200);
        assertThat(report(worker, execution, run, "run_succeeded").status()).isEqualTo(200);
        // refused once the node's authentication cache (a few seconds of the server's clock) lets go of the token
        clock.advanceUntil(Duration.ofSeconds(1), () -> agent.get("/agent/runs/" + run).status() == 401);
    }

    @Test
    void aCancelRequestReachesTheWorkerThroughItsHeartbeat() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String workerId = lane.register();
        String run = lane.createRun("long job");
        claim(worker, workerId, 0);
        worker.post("/workers/" + workerId + "/runs/" + run + "/accept", (String) null);
        report(worker, workerId + ":1", run, "run_in_progress");
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(heartbeat(worker, workerId, run).get(0).get("cancel_requested").asBoolean()).isTrue();
        report(worker, workerId + ":1", run, "run_cancelled");
        assertThat(state(user, run)).isEqualTo("CANCELLED");
    }

    @Test
    void aWaitingHeartbeatIsAnsweredTheMomentItsRunIsCancelledAndOtherwiseAfterTheHeartbeatInterval() throws Exception {
        // a 6 s lease: heartbeats every 2 s, so a wait of 30 s is cut to 2 s
        try (TestServer server = start(backend().freshConfig().withLeaseDuration(Duration.ofSeconds(6)))) {
            Api user = server.admin();
            Api worker = server.newWorkerKey("worker-" + UUID.randomUUID());
            String workerId = register(worker, "default");
            String run = user.createRun("long job");
            claim(worker, workerId, 0);
            worker.post("/workers/" + workerId + "/runs/" + run + "/accept", (String) null);
            worker.post("/agent/events/" + run, "{\"event_type\":\"run_in_progress\"}");
            String waiting = "/workers/" + workerId + "/heartbeat?wait=30";
            Map<String, Object> body = Map.of("run_ids", List.of(run));

            long quiet = System.nanoTime();
            Api.Reply nothing = worker.post(waiting, body);
            Duration heldFor = Duration.ofNanos(System.nanoTime() - quiet);
            assertThat(nothing.json().get("leases").get(0).get("cancel_requested").asBoolean()).isFalse();
            assertThat(heldFor).as("held for the heartbeat interval, not the whole wait")
                    .isBetween(Duration.ofMillis(1900), Duration.ofSeconds(4));

            long asked = System.nanoTime();
            var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> worker.post(waiting, body),
                    r -> Thread.ofVirtual().start(r));
            Awaitility.await().pollDelay(Duration.ofMillis(300)).until(() -> true); // the heartbeat is waiting by now
            assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
            Api.Reply woken = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(woken.json().get("leases").get(0).get("cancel_requested").asBoolean()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("answered when the cancel committed")
                    .isLessThan(Duration.ofMillis(1500));
        }
    }

    @Test
    void anIdleWorkerIsWokenByANewRunInsteadOfPolling() throws Exception {
        Lane lane = lane();
        String workerId = lane.register();
        CompletableFuture<Api.Reply> waiting = CompletableFuture.supplyAsync(() -> claim(lane.worker(), workerId, 30));
        String run = lane.createRun("wake up");
        Api.Reply claimed = waiting.get(30, TimeUnit.SECONDS);
        assertThat(claimed.status()).isEqualTo(200);
        assertThat(claimed.json().get("run").get("run_id").asText()).isEqualTo(run);
    }

    @Test
    void idleWorkersOfTwoPoolsEachWakeForTheirOwnPoolsRun() throws Exception {
        try (TestServer server = start(backend().freshConfig().withTeamConcurrency(0))) {
            Api worker = server.newWorkerKey("worker-" + UUID.randomUUID());
            String general = register(worker, "default");
            String gpu = register(worker, "gpu");
            // the gpu claimer is woken by the default run too (events do not name pools): it must wait on, and
            // still be there for its own run
            CompletableFuture<Api.Reply> gpuWaiting = CompletableFuture.supplyAsync(() -> claim(worker, gpu, 30));
            CompletableFuture<Api.Reply> generalWaiting = CompletableFuture.supplyAsync(() -> claim(worker, general, 30));
            Thread.sleep(300); // both claims are in their wait (a claim arriving later finds the run by itself)
            String run = server.admin().createRun("for the default pool");
            assertThat(generalWaiting.get(20, TimeUnit.SECONDS).json().get("run").get("run_id").asText()).isEqualTo(run);
            Thread.sleep(300);
            assertThat(gpuWaiting).isNotDone();
            String gpuRun = server.admin().post("/agent/runs", Map.of("prompt", "needs a gpu",
                    "config", Map.of("worker_host", "gpu"))).json().get("run_id").asText();
            assertThat(gpuWaiting.get(20, TimeUnit.SECONDS).json().get("run").get("run_id").asText()).isEqualTo(gpuRun);
        }
    }

    @Test
    void aBurstOfRunsReachesEveryIdleWorkerWithoutWaitingForTheirLongPollToEnd() throws Exception {
        try (TestServer server = start(backend().freshConfig().withTeamConcurrency(0))) {
            Api worker = server.newWorkerKey("worker-" + UUID.randomUUID());
            List<CompletableFuture<Api.Reply>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String w = register(worker, "default");
                waiting.add(CompletableFuture.supplyAsync(() -> claim(worker, w, 30)));
            }
            Thread.sleep(300); // every claim is waiting
            Set<String> created = new HashSet<>();
            long started = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                created.add(server.admin().createRun("burst " + i));
            }
            Set<String> claimed = new HashSet<>();
            for (CompletableFuture<Api.Reply> f : waiting) {
                Api.Reply r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                claimed.add(r.json().get("run").get("run_id").asText());
            }
            assertThat(claimed).isEqualTo(created);
            // well inside the 30 s long-poll: every run woke a claimer rather than waiting for a poll to end
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void runsAreClaimedOldestFirstAndOnlyByWorkersOfTheirPool() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String general = lane.register();
        String gpuPool = lane.pool() + "-gpu";
        String gpu = register(worker, gpuPool);
        String first = lane.createRun("first");
        String gpuRun = lane.createRun(Map.of("prompt", "needs a gpu", "config", Map.of("worker_host", gpuPool)));
        String second = lane.createRun("second");
        assertThat(claim(worker, general, 0).json().get("run").get("run_id").asText()).isEqualTo(first);
        assertThat(claim(worker, general, 0).json().get("run").get("run_id").asText()).isEqualTo(second);
        assertThat(claim(worker, general, 0).status()).isEqualTo(204);
        assertThat(claim(worker, gpu, 0).json().get("run").get("run_id").asText()).isEqualTo(gpuRun);
    }

    @Test
    void aTeamAtItsConcurrencyLimitWaitsWhileOtherTeamsRun() {
        try (TestServer server = start(backend().freshConfig().withTeamConcurrency(1))) {
            Api teamA = server.admin();
            Api teamB = server.newTenant("b-" + UUID.randomUUID());
            Api worker = server.newWorkerKey("worker-" + UUID.randomUUID());
            String w = register(worker, "default");
            String a1 = teamA.createRun("a1");
            String a2 = teamA.createRun("a2");
            String b1 = teamB.createRun("b1");
            assertThat(claim(worker, w, 0).json().get("run").get("run_id").asText()).isEqualTo(a1);
            assertThat(claim(worker, w, 0).json().get("run").get("run_id").asText()).as("a2 waits for a1").isEqualTo(b1);
            assertThat(claim(worker, w, 0).status()).isEqualTo(204);
            worker.post("/workers/" + w + "/runs/" + a1 + "/accept", (String) null);
            report(worker, w + ":1", a1, "run_in_progress");
            report(worker, w + ":1", a1, "run_failed");
            assertThat(claim(worker, w, 0).json().get("run").get("run_id").asText()).isEqualTo(a2);
        }
    }

    @Test
    void aLeaseLostBeforeTheAgentStartsRequeuesAndOneLostAfterwardsEndsInARetryableError() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String w = lane.register();
        String early = lane.createRun("worker dies before starting");
        claim(worker, w, 0);
        clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () -> state(user, early).equals("QUEUED"));
        assertThat(heartbeat(worker, w, early).get(0).get("lost").asBoolean()).isTrue();
        Api.Reply again = claim(worker, w, 0);
        assertThat(again.json().get("run").get("run_id").asText()).isEqualTo(early);
        assertThat(again.json().get("attempt").asInt()).isEqualTo(2);

        worker.post("/workers/" + w + "/runs/" + early + "/accept", (String) null);
        report(worker, w + ":2", early, "run_in_progress");
        clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () -> state(user, early).equals("ERROR"));
        JsonNode status = user.get("/agent/runs/" + early).json().get("status_message");
        assertThat(status.get("retryable").asBoolean()).isTrue();
        assertThat(status.get("error_code").asText()).isEqualTo("resource_unavailable");
        List<String> types = new ArrayList<>();
        user.get("/agent/events?run_ids=" + early).json().forEach(e -> types.add(e.get("event_type").asText()));
        assertThat(types).containsExactly("run_queued", "run_pending", "run_requeued", "run_pending", "run_claimed",
                "run_in_progress", "run_errored");
    }

    @Test
    void heartbeatsKeepALeaseAliveAndSilenceEndsIt() {
        Lane lane = lane();
        Api user = lane.user();
        Api worker = lane.worker();
        String w = lane.register();
        String kept = lane.createRun("kept alive");
        claim(worker, w, 0);
        // three quarters of a lease between heartbeats, three times over: well past the first lease's end
        Duration between = ServerConfig.DEFAULT_LEASE.multipliedBy(3).dividedBy(4);
        for (int i = 0; i < 3; i++) {
            clock.advance(between);
            assertThat(heartbeat(worker, w, kept).get(0).get("lost").asBoolean()).as("heartbeat " + i).isFalse();
        }
        // the sweeper passes once a second: let two passes see the moved clock
        Awaitility.await().pollDelay(Duration.ofMillis(2200)).until(() -> true);
        assertThat(state(user, kept)).isEqualTo("PENDING");
        // the same worker falling silent loses the run: the sweeper above was live, not idle
        clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () -> state(user, kept).equals("QUEUED"));
    }

    @Test
    void workerEndpointsNeedAWorkerKeyAndAWorkerOfThatKey() {
        Api admin = shared.admin();
        Lane lane = lane();
        Api user = lane.user();
        assertThat(admin.post("/workers", Map.of("name", "sneaky")).status()).isEqualTo(403);
        assertThat(user.post("/workers", Map.of("name", "sneaky")).status()).isEqualTo(403);
        Api worker = lane.worker();
        Api otherWorker = shared.newWorkerKey("other-" + UUID.randomUUID());
        String w = lane.register();
        assertThat(claim(otherWorker, w, 0).status()).isEqualTo(404);
        assertThat(claim(admin, w, 0).status()).isEqualTo(403);
        String run = lane.createRun("not leased");
        assertThat(worker.get("/agent/runs/" + run).status()).as("only leased runs are visible").isEqualTo(404);
        assertThat(worker.post("/workers", Map.of("slots", 0)).json().get("detail").asText()).startsWith("slots:");
        assertThat(worker.post("/workers", Map.of("pool", "bad pool!")).json().get("detail").asText()).startsWith("pool:");
        assertThat(claim(worker, w, 61).status()).isEqualTo(400);
        JsonNode listed = admin.get("/workers").json().get("workers");
        assertThat(listed.findValuesAsText("worker_id")).contains(w);
        assertThat(user.get("/workers").status()).as("a member of a team is not an admin").isEqualTo(403);
    }

    @Test
    void concurrentClaimersNeverReceiveTheSameRun() throws Exception {
        ServerConfig config = backend().freshConfig().withTeamConcurrency(0);
        List<TestServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < nodes(); i++) {
                servers.add(start(config));
            }
            Api user = servers.getFirst().admin();
            Set<String> created = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                created.add(user.createRun("job " + i));
            }
            ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
                List<Future<?>> claimers = new ArrayList<>();
                for (int c = 0; c < 6; c++) {
                    TestServer node = servers.get(c % servers.size());
                    Api worker = node.newWorkerKey("claimer-" + c + "-" + UUID.randomUUID());
                    String w = register(worker, "default");
                    claimers.add(pool.submit(() -> {
                        for (Api.Reply r; (r = claim(worker, w, 0)).status() == 200; ) {
                            claimed.add(r.json().get("run").get("run_id").asText());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : claimers) {
                    f.get();
                }
            }
            assertThat(claimed).doesNotHaveDuplicates();
            assertThat(new HashSet<>(claimed)).isEqualTo(created);
        } finally {
            servers.forEach(TestServer::close);
        }
    }
}
