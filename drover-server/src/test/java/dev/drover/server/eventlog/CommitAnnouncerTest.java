package dev.drover.server.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.RunAgentRequest;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.SkillResolver;
import dev.drover.server.store.Database;
import dev.drover.server.testing.Backend;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL, as two event buses: one commits, the other only listens. The listening node has no
 * poll of its own here (a tail's poll would hide a missing announcement), so it hears of a commit only if the
 * committing node's {@link CommitAnnouncer} tells it.
 */
class CommitAnnouncerTest {
    private static final Duration HEARD_WITHIN = Duration.ofSeconds(10);

    private Database db;
    private EventBus committing;
    private EventLog log;
    private Runs runs;
    private Principal owner;
    private EventBus listening;
    private final List<AutoCloseable> nodes = new ArrayList<>();

    @BeforeEach
    void open() {
        ServerConfig config = Backend.POSTGRES.freshConfig();
        db = Database.open(new Database.Settings(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                config.dataDir(), 8));
        committing = new EventBus();
        log = new EventLog(db, committing);
        runs = new Runs(db, log, new ModelCatalog(Map.of(), null), new BlobStore(config.dataDir().resolve("blobs")),
                Clock.systemUTC(), () -> "http://127.0.0.1:1", 0, SkillResolver.NONE);
        Accounts accounts = new Accounts(db, Clock.systemUTC());
        owner = accounts.ensurePrincipal(Principal.Kind.USER, "announce@x.io", accounts.ensureTeam("announce"), false);
        listening = new EventBus();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable node : nodes.reversed()) {
            node.close();
        }
        db.close();
    }

    private DataSource pool() {
        return db.postgresDataSource().orElseThrow();
    }

    /** The listening node, once its LISTEN has taken effect (it publishes the log's head right after it). */
    private void listen() throws InterruptedException {
        long head = log.head();
        nodes.add(new PostgresEventListener(pool(), listening, new EventLog(db, listening)).start());
        assertThat(listening.awaitAfter(head - 1, HEARD_WITHIN)).as("the listener connected").isTrue();
    }

    private String newRun() {
        return runs.create(owner, new RunAgentRequest("announce", null, null, null, null, null, null, null, null, null,
                null), null, Runs.Origin.api()).runId();
    }

    private long append(String runId) {
        return db.write(h -> log.append(h, runId, "transcript_appended", null, null, Instant.now())).sequence();
    }

    private boolean heard(long sequence) throws InterruptedException {
        return heard(sequence, HEARD_WITHIN);
    }

    private boolean heard(long sequence, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (listening.latest() < sequence && System.nanoTime() < end) {
            listening.awaitAfter(listening.latest(), Duration.ofMillis(200));
        }
        return listening.latest() >= sequence;
    }

    @Test
    void anotherNodeHearsOfACommitThatNotifiesNothingInsideItsTransaction() throws Exception {
        String run = newRun();
        nodes.add(new CommitAnnouncer(pool(), committing).start());
        listen();

        long seq = append(run);

        assertThat(heard(seq)).as("the other node heard of event %d", seq).isTrue();
    }

    @Test
    void anotherNodeHearsOfTheLastOfManyConcurrentCommitsSingleAndGrouped() throws Exception {
        String run = newRun();
        nodes.add(new CommitAnnouncer(pool(), committing).start());
        listen();

        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> commits = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // half of them creates, which are grouped: a batch's events are handed over after its one commit
                commits.add(i % 2 == 0 ? writers.submit(() -> append(run)) : writers.submit(this::newRun));
            }
            for (Future<?> commit : commits) {
                commit.get();
            }
            long last = log.head();
            assertThat(heard(last)).as("the other node heard up to event %d", last).isTrue();
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void withoutAnAnnouncerTheListeningNodeHearsNothingForItHasNoPollHere() throws Exception {
        String run = newRun();
        listen();

        long seq = append(run);

        assertThat(heard(seq, Duration.ofSeconds(2))).as("no node announced event %d", seq).isFalse();
    }
}
