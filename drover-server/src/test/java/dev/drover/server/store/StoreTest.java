package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.RunState;
import dev.drover.server.DroverServer;
import dev.drover.server.events.EventBus;
import dev.drover.server.events.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The store below HTTP, the same suite on both databases. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreTest {
    TestServer server;
    Database db;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend());
        db = server.server().database();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void everyMigrationIsApplied() {
        long applied = db.readOne(h -> h.createQuery(
                "SELECT COUNT(*) FROM flyway_schema_history WHERE success = TRUE").mapTo(Long.class).one());
        assertThat(applied).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anEventAppendedInATransactionThatFailsLeavesNoTrace() {
        String run = server.admin().createRun("rollback");
        EventLog log = new EventLog(db, new EventBus());
        long head = log.head();
        assertThatThrownBy(() -> db.write(h -> {
            log.append(h, run, "run_pending", null, null, Instant.now());
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(log.head()).isEqualTo(head);
        assertThat(log.since(List.of(run), 0, 100)).extracting(e -> e.eventType()).containsExactly("run_queued");
    }

    @Test
    void concurrentTransitionsFromOneStateLetExactlyOneWin() throws Exception {
        DroverServer s = server.server();
        for (int round = 0; round < 5; round++) {
            String run = server.admin().createRun("race " + round);
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<Boolean>> attempts = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                for (int i = 0; i < 4; i++) {
                    attempts.add(pool.submit(() -> {
                        start.await();
                        try {
                            s.runs().advance(run, RunState.PENDING, null);
                            return true;
                        } catch (ApiException e) {
                            assertThat(e.status()).isEqualTo(409);
                            return false;
                        }
                    }));
                }
                int winners = 0;
                for (Future<Boolean> f : attempts) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).isEqualTo(1);
            }
            long pendingEvents = db.readOne(h -> h.createQuery(
                            "SELECT COUNT(*) FROM events WHERE run_id = :r AND event_type = 'run_pending'")
                    .bind("r", run).mapTo(Long.class).one());
            assertThat(pendingEvents).isEqualTo(1);
        }
    }

    @Test
    void timestampsRoundTripToTheMicrosecond() {
        Instant t = Instant.parse("2026-11-28T12:34:56.123456Z");
        assertThat(Times.instant(Times.micros(t))).isEqualTo(t);
    }
}
