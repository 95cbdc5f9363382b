package dev.drover.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The gap-free guarantee: a poller that advances {@code since} to the last sequence it saw never misses an
 * event, however many writers commit concurrently — on PostgreSQL with two server nodes writing to one database.
 */
abstract class EventOrderingTest {
    static final int WRITERS = 8;
    static final int EVENTS_PER_WRITER = 40;

    abstract Backend backend();

    /** How many nodes share the database (SQLite has one writer process by design). */
    abstract int nodes();

    @Test
    void aPollerFollowingSinceSeesEveryEventOnceInIncreasingOrderWhileManyWritersCommit() throws Exception {
        withNodes(servers -> {
            Api first = servers.getFirst().admin();
            String sender = first.createRun("sender");
            List<String> recipients = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                recipients.add(first.createRun("recipient " + i));
            }
            followWhileWriting(servers, recipients, (node, to) -> {
                for (int i = 0; i < EVENTS_PER_WRITER; i++) {
                    Api.Reply r = node.post("/agent/messages", Map.of("to", List.of(to), "subject", "s" + i,
                            "body", "b", "sender_run_id", sender));
                    assertThat(r.status()).as(r.toString()).isEqualTo(200);
                }
            });
        });
    }

    /**
     * Creates take the counter through their own statement (the run's {@code run_queued} also stamps its
     * {@code created_seq}) and a child's creation appends to its parent first: watchers of the parents, on both
     * nodes, must still see every event once and in order, the log must have no hole, and every run's stamps must
     * be those of its own events (the stamp commits with the event or not at all).
     */
    @Test
    void createsOnEveryNodeKeepTheLogGapFreeForWatchersAndStampEachRunWithItsOwnEvents() throws Exception {
        withNodes(servers -> {
            Api first = servers.getFirst().admin();
            List<String> parents = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                parents.add(first.createRun("parent " + i));
            }
            followWhileWriting(servers, parents, (node, parent) -> {
                for (int i = 0; i < EVENTS_PER_WRITER; i++) {
                    node.createRun(Map.of("prompt", "child " + i, "parent_run_id", parent));
                }
            });

            var db = servers.getFirst().server().database();
            List<Long> log = db.readOne(h -> h.createQuery("SELECT sequence FROM events ORDER BY sequence")
                    .mapTo(Long.class).list());
            assertThat(log).as("the whole log, 1..n without a hole").isNotEmpty()
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, log.size()).boxed().toList());
            long children = db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM runs WHERE parent_run_id IS NOT NULL")
                    .mapTo(Long.class).one());
            assertThat(children).isEqualTo((long) WRITERS * EVENTS_PER_WRITER);
            List<String> wrongStamps = db.readOne(h -> h.createQuery("""
                            SELECT r.id FROM runs r
                            WHERE r.created_seq <> (SELECT e.sequence FROM events e
                                                    WHERE e.run_id = r.id AND e.event_type = 'run_queued')
                               OR r.updated_seq <> (SELECT MAX(e.sequence) FROM events e WHERE e.run_id = r.id)
                               OR r.updated_at <> (SELECT e.occurred_at FROM events e WHERE e.run_id = r.id
                                                   ORDER BY e.sequence DESC LIMIT 1)""")
                    .mapTo(String.class).list());
            assertThat(wrongStamps).as("runs whose created_seq/updated_seq/updated_at are not their events'").isEmpty();
        });
    }

    /**
     * Claims and lifecycle reports share group-commit batches (on PostgreSQL their events are numbered at each batch's
     * end): with workers on every node draining runs at once, each report must still answer the sequence of its own
     * event, each run's events must be its lifecycle in order, the log dense, the stamps the run's own, and a poller
     * and a long-poller on the other node must see exactly the log.
     */
    @Test
    void workersClaimingAndReportingOnEveryNodeGetTheirOwnEventsSequencesInAGapFreeLog() throws Exception {
        withNodes(servers -> {
            Api first = servers.getFirst().admin();
            int perWorker = 10;
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < WRITERS * perWorker; i++) {
                runs.add(first.createRun("drained " + i));
            }
            String watched = String.join(",", runs);
            AtomicBoolean working = new AtomicBoolean(true);
            List<Long> polled = new ArrayList<>();
            List<Long> waited = new ArrayList<>();
            // what each report answered: run id + event type -> sequence
            Map<String, Long> answered = new java.util.concurrent.ConcurrentHashMap<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2)) {
                Future<?> poller = pool.submit(() -> follow(first, watched, "", working, polled));
                Future<?> waiter = pool.submit(() -> follow(servers.getLast().admin(), watched, "&wait=2", working,
                        waited));
                List<Future<Integer>> workers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    TestServer node = servers.get(w % servers.size());
                    Api key = node.newWorkerKey("drainer-" + w);
                    workers.add(pool.submit(() -> drain(key, answered)));
                }
                int drained = 0;
                try {
                    for (Future<Integer> w : workers) {
                        drained += w.get();
                    }
                } finally {
                    working.set(false);
                }
                poller.get();
                waiter.get();
                assertThat(drained).isEqualTo(runs.size());
            }

            var db = servers.getFirst().server().database();
            List<Long> log = db.readOne(h -> h.createQuery("SELECT sequence FROM events ORDER BY sequence")
                    .mapTo(Long.class).list());
            assertThat(log).as("the whole log, 1..n without a hole")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, log.size()).boxed().toList());
            List<Long> ofRuns = new ArrayList<>();
            for (String run : runs) {
                List<String> types = new ArrayList<>();
                for (JsonNode e : first.get("/agent/events?run_ids=" + run).json()) {
                    String type = e.get("event_type").asText();
                    types.add(type);
                    ofRuns.add(e.get("sequence").asLong());
                    if (answered.containsKey(run + " " + type)) {
                        assertThat(answered.get(run + " " + type)).as(type + " of " + run + ": the report's answer")
                                .isEqualTo(e.get("sequence").asLong());
                    }
                }
                assertThat(types).containsExactly("run_queued", "run_pending", "run_claimed", "run_in_progress",
                        "run_succeeded");
            }
            assertThat(answered).hasSize(2 * runs.size());
            java.util.Collections.sort(ofRuns);
            assertThat(polled).as("what the live poller saw").containsExactlyElementsOf(ofRuns);
            assertThat(waited).as("what the long-poller on the last node saw").containsExactlyElementsOf(ofRuns);
            List<String> wrongStamps = db.readOne(h -> h.createQuery("""
                            SELECT r.id FROM runs r
                            WHERE r.updated_seq <> (SELECT MAX(e.sequence) FROM events e WHERE e.run_id = r.id)
                               OR r.updated_at <> (SELECT e.occurred_at FROM events e WHERE e.run_id = r.id
                                                   ORDER BY e.sequence DESC LIMIT 1)""")
                    .mapTo(String.class).list());
            assertThat(wrongStamps).as("runs whose updated_seq/updated_at are not their last event's").isEmpty();
        });
    }

    /** A worker's loop without agent work: claim (accepted), in progress, succeeded, until a claim finds nothing. */
    private static int drain(Api key, Map<String, Long> answered) {
        Api.Reply registered = key.post("/workers", Map.of("name", "drainer", "pool", "default", "slots", 1));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        String worker = registered.json().get("worker_id").asText();
        int runs = 0;
        while (true) {
            Api.Reply claim = key.post("/workers/" + worker + "/claim?wait=0&accept=true", (String) null);
            if (claim.status() == 204) {
                return runs;
            }
            assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
            String run = claim.json().get("run").get("run_id").asText();
            String execution = claim.json().get("execution_id").asText();
            for (String type : List.of("run_in_progress", "run_succeeded")) {
                Api.Reply r = key.post("/agent/events/" + run, Map.of("event_type", type, "execution_id", execution));
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                answered.put(run + " " + type, r.json().get("sequence").asLong());
            }
            runs++;
        }
    }

    interface Nodes {
        void with(List<TestServer> servers) throws Exception;
    }

    interface Writer {
        void write(Api node, String runId) throws Exception;
    }

    private void withNodes(Nodes test) throws Exception {
        ServerConfig config = backend().freshConfig().withTeamConcurrency(0);
        List<TestServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < nodes(); i++) {
                servers.add(TestServer.start(backend(), config));
            }
            test.with(servers);
        } finally {
            servers.forEach(TestServer::close);
        }
    }

    /**
     * {@link #WRITERS} writers, spread over the nodes, each writing events of one of {@code watchedRuns}, while a
     * poller on the first node and a long-poller on the last follow those runs; both must see exactly the log.
     */
    private static void followWhileWriting(List<TestServer> servers, List<String> watchedRuns, Writer writer)
            throws Exception {
        Api first = servers.getFirst().admin();
        String watched = String.join(",", watchedRuns);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Long> polled = new ArrayList<>();
        List<Long> waited = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2)) {
            Future<?> poller = pool.submit(() -> follow(first, watched, "", writing, polled));
            // a long-poll on the last node waits on that node's tail, which hears of the other node's commits
            // through NOTIFY: it must see the same log, once, in order, across its backlog/tail boundary
            Api last = servers.getLast().admin();
            Future<?> waiter = pool.submit(() -> follow(last, watched, "&wait=2", writing, waited));
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Api node = servers.get(w % servers.size()).admin();
                String run = watchedRuns.get(w);
                writers.add(pool.submit(() -> {
                    writer.write(node, run);
                    return null;
                }));
            }
            try {
                for (Future<?> w : writers) {
                    w.get();
                }
            } finally {
                writing.set(false);
            }
            poller.get();
            waiter.get();
        }

        List<Long> all = new ArrayList<>();
        long since = 0;
        for (JsonNode page; !(page = first.get("/agent/events?limit=500&run_ids=" + watched + "&since=" + since).json()).isEmpty(); ) {
            for (JsonNode e : page) {
                all.add(e.get("sequence").asLong());
                since = e.get("sequence").asLong();
            }
        }
        assertThat(all).hasSize(WRITERS * (EVENTS_PER_WRITER + 1)).isSorted().doesNotHaveDuplicates();
        assertThat(polled).as("what the live poller saw").containsExactlyElementsOf(all);
        assertThat(waited).as("what the long-poller on the last node saw").containsExactlyElementsOf(all);
    }

    /** Polls from {@code since=0}, then from the last sequence received, until a read after the writers stopped is empty. */
    private static Void follow(Api node, String watched, String wait, AtomicBoolean writing, List<Long> into) {
        long since = 0;
        boolean lastRound = false;
        while (true) {
            boolean done = !writing.get();
            JsonNode events = node.get("/agent/events?limit=500&run_ids=" + watched + "&since=" + since + wait).json();
            for (JsonNode e : events) {
                into.add(e.get("sequence").asLong());
                since = e.get("sequence").asLong();
            }
            if (events.isEmpty() && lastRound) {
                return null;
            }
            lastRound = done; // one more empty read after the writers stopped
        }
    }
}
