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
        ServerConfig config = backend().freshConfig().withTeamConcurrency(0);
        List<TestServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < nodes(); i++) {
                servers.add(TestServer.start(backend(), config));
            }
            Api first = servers.getFirst().admin();
            String sender = first.createRun("sender");
            List<String> recipients = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                recipients.add(first.createRun("recipient " + i));
            }
            String watched = String.join(",", recipients);

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
                    String to = recipients.get(w);
                    writers.add(pool.submit(() -> {
                        for (int i = 0; i < EVENTS_PER_WRITER; i++) {
                            Api.Reply r = node.post("/agent/messages", Map.of("to", List.of(to), "subject", "s" + i,
                                    "body", "b", "sender_run_id", sender));
                            assertThat(r.status()).as(r.toString()).isEqualTo(200);
                        }
                        return null;
                    }));
                }
                for (Future<?> w : writers) {
                    w.get();
                }
                writing.set(false);
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
        } finally {
            servers.forEach(TestServer::close);
        }
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
