package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /agent/runs/{id}} answered from the run cache ({@link RunCache}, {@link RunVersions}) is exactly what a
 * read of the row would answer: every change is seen by the next GET, whoever made it (an API call, a write the
 * server did not make, another node), a run's time keeps counting, and the cache never shows a run to a caller
 * who could not read it. Each test reads a run at least twice first, so that the answer under test is a hit unless
 * the change was noticed. Subclassed once per database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunCacheTest {
    final MovableClock clock = new MovableClock(Instant.parse("2026-12-02T08:00:00Z"));
    TestServer server;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig(), clock);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static JsonNode read(Api api, String runId) {
        Api.Reply got = api.get("/agent/runs/" + runId);
        assertThat(got.status()).as(got.toString()).isEqualTo(200);
        return got.json();
    }

    static String localRun(Api api, String prompt) {
        Api.Reply created = api.post("/agent/runs", Api.toJson(Map.of("prompt", prompt)),
                Map.of("X-Drover-Execution-Location", "LOCAL"));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        return created.json().get("run_id").asText();
    }

    void sql(String statement, Object... args) {
        server.server().database().write(h -> h.execute(statement, args));
    }

    @Test
    void aRowChangedByAWriteTheServerDidNotMakeIsReadAsChangedByTheNextGet() {
        Api api = server.newTenant("cache-behind-" + UUID.randomUUID());
        String run = api.createRun("before");
        read(api, run);
        assertThat(read(api, run).get("title").asText()).isNotEqualTo("renamed behind the server's back");

        sql("UPDATE runs SET title = ? WHERE id = ?", "renamed behind the server's back", run);

        assertThat(read(api, run).get("title").asText()).isEqualTo("renamed behind the server's back");
    }

    @Test
    void aRenamedCreatorIsShownByTheNextGetThoughTheRunDidNotChange() {
        Api api = server.newTenant("cache-creator-" + UUID.randomUUID());
        String run = api.createRun("whose");
        read(api, run);
        String creator = read(api, run).get("creator").get("uid").asText();

        sql("UPDATE principals SET display_name = ? WHERE id = ?", "Renamed Person", creator);

        assertThat(read(api, run).get("creator").get("display_name").asText()).isEqualTo("Renamed Person");
    }

    @Test
    void aStateChangeThroughTheApiIsReadByTheNextGet() {
        Api api = server.newTenant("cache-events-" + UUID.randomUUID());
        String run = localRun(api, "local work");
        read(api, run);
        assertThat(read(api, run).get("state").asText()).isEqualTo("QUEUED");

        assertThat(api.post("/agent/events/" + run, "{\"event_type\":\"run_in_progress\"}").status()).isLessThan(300);
        assertThat(read(api, run).get("state").asText()).isEqualTo("INPROGRESS");
        assertThat(api.post("/agent/events/" + run, "{\"event_type\":\"run_succeeded\"}").status()).isLessThan(300);
        assertThat(read(api, run).get("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aWorkingRunsTimeKeepsCountingBetweenGetsOfTheSameVersion() {
        Api api = server.newTenant("cache-time-" + UUID.randomUUID());
        String run = localRun(api, "timed");
        api.post("/agent/events/" + run, "{\"event_type\":\"run_in_progress\"}");
        read(api, run);
        String before = read(api, run).get("run_time").asText();

        clock.advance(Duration.ofSeconds(90));

        String after = read(api, run).get("run_time").asText();
        assertThat(Duration.parse(after).minus(Duration.parse(before))).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void aCachedRunIsTheSameNotFoundForAnotherTeamAsAnUnknownId() {
        Api owner = server.newTenant("cache-owner-" + UUID.randomUUID());
        Api stranger = server.newTenant("cache-stranger-" + UUID.randomUUID());
        String run = owner.createRun("private");
        read(owner, run);
        read(owner, run);

        Api.Reply foreign = stranger.get("/agent/runs/" + run);
        Api.Reply unknown = stranger.get("/agent/runs/" + UUID.randomUUID());

        assertThat(foreign.status()).isEqualTo(404);
        String uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
        assertThat(foreign.body().replaceAll(uuid, "ID")).isEqualTo(unknown.body().replaceAll(uuid, "ID"));
    }

    /**
     * Linearizable under load: a GET that starts after a write has committed shows that write, even while dozens of
     * GETs share each version check. A check answered by a query that was already running when the GET began (a
     * batch joined late) would show an older title here.
     */
    @Test
    void everyGetAmongManyConcurrentOnesShowsEveryWriteCommittedBeforeItBegan() throws Exception {
        Api api = server.newTenant("cache-race-" + UUID.randomUUID());
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(api.createRun("raced " + i));
            sql("UPDATE runs SET title = ? WHERE id = ?", "v-1", runs.getLast());
        }
        AtomicInteger committed = new AtomicInteger(-1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger stale = new AtomicInteger();
        AtomicInteger gets = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 16; r++) {
                String run = runs.get(r % runs.size());
                readers.add(pool.submit(() -> {
                    while (!done.get()) {
                        int floor = committed.get();
                        int seen = Integer.parseInt(read(api, run).get("title").asText().replaceFirst("^v(-?\\d+).*", "$1"));
                        gets.incrementAndGet();
                        if (seen < floor) {
                            stale.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            // at least 40 versions, and on until the readers have made 200 GETs (a fast writer would finish first)
            for (int v = 0; v < 40 || (gets.get() < 200 && v < 20_000); v++) {
                for (String run : runs) {
                    sql("UPDATE runs SET title = ? WHERE id = ?", "v" + v, run);
                }
                committed.set(v);
            }
            done.set(true);
            for (Future<?> f : readers) {
                f.get();
            }
        }
        assertThat(gets.get()).isGreaterThanOrEqualTo(200);
        assertThat(stale.get()).as("GETs that missed a committed write, of %d", gets.get()).isZero();
    }
}
