package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stopping the built-in agent while it waits on its model, end to end: a real server and worker, and scripted
 * doubles of every provider whose reply can hang for a minute. A cancel, a lost lease and the run's time limit
 * must each end the run within 2 s (a functional bound: the worker learns of a cancel through a heartbeat the
 * server answers when the cancel commits, and cuts the model's connection at once), the provider must see its
 * request dropped, and no tool the model asked for may run after the stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OzCancelEndToEndTest {
    /**
     * From the cancel request to CANCELLED: far below the calls a cancel must cut (they hang for a minute), so a
     * pass proves the cancel did not wait for them; not a speed target — on a loaded 2-core machine a wall-clock
     * bound of a second or two fails by chance. What these runs measure is in docs/workers.md (30–100 ms).
     */
    static final Duration BOUND = Duration.ofSeconds(10);
    static final Duration SHORT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration MINUTE = Duration.ofSeconds(60);

    final Map<ScriptedModelServer.Wire, ScriptedModelServer> models = new EnumMap<>(ScriptedModelServer.Wire.class);
    Path modelsFile;
    TestServer server;
    Worker worker;
    Worker shortWorker;
    Api user;
    Path work;
    Path shortWork;

    abstract Backend backend();

    @BeforeAll
    void start() throws IOException {
        for (ScriptedModelServer.Wire wire : ScriptedModelServer.Wire.values()) {
            models.put(wire, new ScriptedModelServer(wire));
        }
        modelsFile = Files.createTempFile("drover-models-", ".yaml");
        Files.writeString(modelsFile, """
                models:
                  - id: qwen3-coder
                    provider: ollama
                """);
        server = startServer(null);
        user = server.admin();
        work = Files.createTempDirectory("drover-cancel-");
        shortWork = Files.createTempDirectory("drover-cancel-short-");
        worker = worker(server, "default", work, WorkerConfig.DEFAULT_RUN_TIMEOUT);
        shortWorker = worker(server, "short", shortWork, SHORT_TIMEOUT);
    }

    @AfterAll
    void stop() {
        shortWorker.close();
        worker.close();
        server.close();
        models.values().forEach(ScriptedModelServer::close);
    }

    private TestServer startServer(MovableClock clock) {
        var config = backend().freshConfig().withTeamConcurrency(0).withModelsFile(modelsFile)
                .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted", "ANTHROPIC_API_KEY", "sk-ant-scripted",
                        "GEMINI_API_KEY", "gm-scripted", "OLLAMA_BASE_URL", models.get(ScriptedModelServer.Wire.OLLAMA).baseUrl()));
        return clock == null ? TestServer.start(backend(), config) : TestServer.start(backend(), config, clock);
    }

    /** A worker with every provider pointing at its double. */
    private Worker worker(TestServer on, String pool, Path dir, Duration runTimeout) {
        Map<String, String> env = new HashMap<>();
        for (ScriptedModelServer.Wire wire : ScriptedModelServer.Wire.values()) {
            env.putAll(ModelProvidersEndToEndTest.setup(wire, models.get(wire).baseUrl()).workerEnv());
        }
        Api key = on.newWorkerKey("cancel-" + UUID.randomUUID());
        return new Worker(new WorkerConfig(on.apiBaseUrl(), key.key(), "cancel-" + pool, pool, 1, dir, runTimeout,
                WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(), env, null).withIsolation(IsolationSettings.of("none"))).start();
    }

    private static String start(Api as, String prompt, ScriptedModelServer.Wire wire, String pool) {
        Api.Reply r = as.post("/agent/runs", Map.of("prompt", prompt, "config", Map.of("worker_host", pool,
                "model_id", ModelProvidersEndToEndTest.setup(wire, "http://unused").modelId())));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private static String state(Api as, String run) {
        return as.get("/agent/runs/" + run).json().get("state").asText();
    }

    /** How long from {@code since} until the run reached {@code state}, polled every 20 ms. */
    private static Duration timeUntil(Api as, String run, String state, long since) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                .until(() -> state(as, run).matches(state + "|SUCCEEDED|FAILED|ERROR|CANCELLED|BLOCKED"));
        Duration took = Duration.ofNanos(System.nanoTime() - since);
        JsonNode now = as.get("/agent/runs/" + run).json();
        assertThat(now.get("state").asText()).as(now.toString()).isEqualTo(state);
        return took;
    }

    private static void awaitHanging(ScriptedModelServer model, String marker) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> model.hanging.stream().anyMatch(p -> p.contains(marker)));
    }

    /** The provider saw the hanging request's connection dropped, within the bound of {@code since}. */
    private static void assertAborted(ScriptedModelServer model, String marker, Instant since) {
        Awaitility.await().atMost(BOUND).pollInterval(Duration.ofMillis(20))
                .until(() -> model.aborted.stream().anyMatch(e -> e.getKey().contains(marker)));
        Instant when = model.aborted.stream().filter(e -> e.getKey().contains(marker)).findFirst().orElseThrow().getValue();
        assertThat(Duration.between(since, when)).as("request dropped after the stop").isLessThan(BOUND);
    }

    /** The model was asked {@code times} and never again (no retry of the dropped request), for a second. */
    private static void assertAskedOnly(ScriptedModelServer model, String marker, long times) {
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> model.requestsMentioning(marker) == times);
    }

    private static String conversation(Api as, String run) {
        return as.get("/agent/runs/" + run + "/conversation").json().toString();
    }

    @ParameterizedTest
    @EnumSource(ScriptedModelServer.Wire.class)
    void aCancelDuringAModelCallThatWouldTakeAMinuteEndsTheRunCancelledWithinTwoSecondsAndCutsTheRequest(
            ScriptedModelServer.Wire wire) {
        ScriptedModelServer model = models.get(wire);
        String marker = "CANCEL-" + wire + "-" + UUID.randomUUID();
        model.whenPromptMentions(marker)
                .thenCall("write_file", Map.of("path", "before.txt", "content", "written before the cancel"))
                .thenHang(MINUTE, "write_file", Map.of("path", "after.txt", "content", "the hanging reply's call"));
        String run = start(user, marker, wire, "default");
        awaitHanging(model, marker);

        long cancelledAt = System.nanoTime();
        Instant cancelInstant = Instant.now();
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(timeUntil(user, run, "CANCELLED", cancelledAt)).isLessThan(BOUND);
        assertAborted(model, marker, cancelInstant);
        assertAskedOnly(model, marker, 2);

        assertThat(work.resolve(run).resolve("before.txt")).exists();
        assertThat(work.resolve(run).resolve("after.txt")).doesNotExist();
        assertThat(conversation(user, run)).contains("before.txt").doesNotContain("after.txt");
    }

    @Test
    void aCancelWhileAToolRunsStopsItAndTheToolCallsQueuedBehindItNeverRun() {
        ScriptedModelServer model = models.get(ScriptedModelServer.Wire.OPENAI);
        String marker = "QUEUED-" + UUID.randomUUID();
        model.whenPromptMentions(marker).thenCallAll(
                new ScriptedModelServer.Call("run_shell", Map.of("command", "touch started.txt && sleep 30")),
                new ScriptedModelServer.Call("write_file", Map.of("path", "queued.txt", "content", "must not be written")));
        String run = start(user, marker, ScriptedModelServer.Wire.OPENAI, "default");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(work.resolve(run).resolve("started.txt")));

        long cancelledAt = System.nanoTime();
        assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(timeUntil(user, run, "CANCELLED", cancelledAt)).isLessThan(BOUND);
        assertAskedOnly(model, marker, 1);
        assertThat(work.resolve(run).resolve("queued.txt")).doesNotExist();
        JsonNode done = user.get("/agent/runs/" + run + "/conversation").json();
        assertThat(done.toString()).as("the queued call was never carried out").doesNotContain("wrote queued.txt");
    }

    @Test
    void theRunsTimeLimitEndsAModelCallThatWouldTakeAMinutePromptly() {
        ScriptedModelServer model = models.get(ScriptedModelServer.Wire.OPENAI);
        String marker = "TIMEOUT-" + UUID.randomUUID();
        model.whenPromptMentions(marker)
                .thenHang(MINUTE, "write_file", Map.of("path", "late.txt", "content", "after the time limit"));
        long createdAt = System.nanoTime();
        String run = start(user, marker, ScriptedModelServer.Wire.OPENAI, "short");
        awaitHanging(model, marker);

        // the agent's clock starts after the claim and setup, a little after the run was created
        assertThat(timeUntil(user, run, "FAILED", createdAt)).isLessThan(SHORT_TIMEOUT.plus(BOUND));
        Instant failed = Instant.now();
        JsonNode done = user.get("/agent/runs/" + run).json();
        assertThat(done.get("status_message").get("message").asText()).contains("ran longer than " + SHORT_TIMEOUT);
        assertAborted(model, marker, failed);
        assertAskedOnly(model, marker, 1);
        assertThat(shortWork.resolve(run).resolve("late.txt")).doesNotExist();
    }

    @Test
    void aLeaseLostDuringAModelCallCutsTheRequestAtOnceAndTheWorkerReportsNothing() throws IOException {
        // a server of its own whose clock the test moves: an hour later, every lease it gave has run out
        MovableClock clock = new MovableClock(Instant.now());
        Path dir = Files.createTempDirectory("drover-cancel-lease-");
        try (TestServer lone = startServer(clock); Worker w = worker(lone, "default", dir, WorkerConfig.DEFAULT_RUN_TIMEOUT)) {
            Api admin = lone.admin();
            ScriptedModelServer model = models.get(ScriptedModelServer.Wire.ANTHROPIC);
            String marker = "LEASE-" + UUID.randomUUID();
            model.whenPromptMentions(marker)
                    .thenHang(MINUTE, "write_file", Map.of("path", "late.txt", "content", "after the lease was lost"));
            String run = start(admin, marker, ScriptedModelServer.Wire.ANTHROPIC, "default");
            awaitHanging(model, marker);

            // moved again on every poll: a heartbeat that renews the lease in between is outrun by the next move
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                clock.advance(Duration.ofHours(1));
                return state(admin, run).equals("ERROR");
            });
            Instant expired = Instant.now();
            JsonNode lost = admin.get("/agent/runs/" + run).json();
            assertThat(lost.get("status_message").get("error_code").asText()).isEqualTo("resource_unavailable");
            assertAborted(model, marker, expired);
            assertAskedOnly(model, marker, 1);
            assertThat(dir.resolve(run).resolve("late.txt")).doesNotExist();
            assertThat(admin.get("/agent/runs/" + run).json().get("state").asText()).as("the worker reported nothing")
                    .isEqualTo("ERROR");
        }
    }
}
