package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunEvent;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.eventlog.EventBus;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.SkillResolver;
import dev.drover.server.testing.Backend;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class StorePostgresTest extends StoreTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    /**
     * A node that stops while its write holds the event counter (a network partition, a frozen VM or container) must
     * not hold every node's appends until its connection is found dead: PostgreSQL ends a session of Drover's that
     * sits in a transaction for Database.IDLE_IN_TRANSACTION_TIMEOUT, its transaction rolled back and the counter free.
     */
    @Test
    void aWriterThatStopsWhileHoldingTheEventCounterIsCutOffAndTheOthersGoOnWithoutAGap() throws Exception {
        String stoppedRun = newRun("the stopped node's run");
        String otherRun = newRun("another node's run");
        long head = log.head();
        Handle stopped = Jdbi.create(db.postgresDataSource().orElseThrow()).open(); // a connection of Drover's pool
        long waited;
        try {
            stopped.begin();
            RunEvent taken = log.append(stopped, stoppedRun, "run_pending", null, null, Instant.now());
            assertThat(taken.sequence()).isEqualTo(head + 1);
            // ... and the node stops here, between its append and its commit
            long start = System.nanoTime();
            CompletableFuture<RunEvent> other = CompletableFuture.supplyAsync(() -> db.write(h -> log.append(h,
                    otherRun, "run_pending", null, null, Instant.now())));
            RunEvent appended = other.get(Database.IDLE_IN_TRANSACTION_TIMEOUT.toSeconds() + 20, TimeUnit.SECONDS);
            waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(appended.sequence()).as("the stopped append's number, given back: no gap").isEqualTo(head + 1);
        } finally {
            try {
                stopped.rollback(); // without the timeout, this frees the others, so that the failure is the test's
            } catch (RuntimeException expected) {
                // the session was ended by the server
            }
            stopped.close();
        }
        assertThat(waited).as("the other write waited for the stopped one").isGreaterThanOrEqualTo(
                Database.IDLE_IN_TRANSACTION_TIMEOUT.toMillis() - 1000);
        assertThat(log.since(List.of(stoppedRun), 0, 100)).as("nothing of the stopped write is left")
                .extracting(RunEvent::eventType).containsExactly("run_queued");
        assertThat(log.head()).isEqualTo(head + 1);
    }

    /**
     * Writes are READ COMMITTED whatever the database's default (the event counter's update relies on re-reading the
     * row it waited for), reads REPEATABLE READ: the pool sets the connection's level once, not each transaction.
     */
    @Test
    void writesAreReadCommittedAndReadsOneSnapshotWhateverTheDatabasesDefaultIsolation() {
        String alter = "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I ' || 'SETTING', current_database()); END $$";
        db.write(h -> h.execute(alter.replace("SETTING", "SET default_transaction_isolation = ''serializable''")));
        try (Database other = Database.open(new Database.Settings(config.databaseUrl(), config.databaseUser(),
                config.databasePassword(), config.dataDir(), 4))) {
            String sessionDefault = plainSession(config).withHandle(h ->
                    h.createQuery("SHOW default_transaction_isolation").mapTo(String.class).one());
            String writes = other.write(h -> h.createQuery("SHOW transaction_isolation").mapTo(String.class).one());
            String reads = other.read(h -> h.createQuery("SHOW transaction_isolation").mapTo(String.class).one());
            assertThat(sessionDefault).as("the database's default, as a new session sees it")
                    .isEqualTo("serializable");
            assertThat(writes).isEqualTo("read committed");
            assertThat(reads).isEqualTo("repeatable read");
        } finally {
            db.write(h -> h.execute(alter.replace("SETTING", "RESET default_transaction_isolation")));
        }
    }

    /**
     * A grouped unit's events are appended at its batch's end: while its batch runs it holds no counter, so an
     * ordinary transition commits meanwhile (with the counter taken mid-batch it would wait for the whole batch).
     */
    @Test
    void aBatchOfCreatesHoldsNoCounterWhileItsUnitsRun() throws Exception {
        String grouped = newRun("grouped, held open");
        String other = newRun("a transition meanwhile");
        long head = log.head();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> batch = async(() -> db.writeGrouped(h -> {
            log.appendAtCommit(h, grouped, "run_pending", null, null, Instant.now(), EventLog.RunRowHeld.NO);
            appended.countDown();
            await(release);
            return "done";
        }));
        assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();
        try {
            RunEvent meanwhile = async(() -> db.write(h ->
                    log.append(h, other, "run_pending", null, null, Instant.now()))).get(10, TimeUnit.SECONDS);
            assertThat(meanwhile.sequence()).as("numbered before the open batch's event").isEqualTo(head + 1);
        } finally {
            release.countDown();
        }
        assertThat(batch.get(30, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(log.since(List.of(grouped), head, 10)).extracting(RunEvent::sequence).containsExactly(head + 2);
        assertThat(count("SELECT updated_seq FROM runs WHERE id = ?", grouped)).isEqualTo(head + 2);
    }

    /**
     * Two batches whose units lock two rows in opposite orders deadlock; PostgreSQL fails one unit's statement, and
     * that unit is rolled back to its savepoint and run again in a later batch instead of failing its caller.
     */
    @Test
    void aUnitFailedToBreakADeadlockWithAnotherBatchIsRunAgainAndBothCommit() throws Exception {
        String x = newRun("row x");
        String y = newRun("row y");
        GroupCommit group = db.groupCommit();
        long retriesBefore = group.retries();
        CountDownLatch aHoldsX = new CountDownLatch(1);
        CountDownLatch bHoldsY = new CountDownLatch(1);
        CompletableFuture<String> a = async(() -> db.writeGrouped(h -> {
            h.createUpdate("UPDATE runs SET title = title || ' a' WHERE id = :id").bind("id", x).execute();
            aHoldsX.countDown();
            await(bHoldsY);
            h.createUpdate("UPDATE runs SET title = title || ' a' WHERE id = :id").bind("id", y).execute();
            return "a";
        }));
        assertThat(aHoldsX.await(30, TimeUnit.SECONDS)).isTrue();
        // queued while a's batch runs: another leader writes it in a batch of its own
        CompletableFuture<String> b = async(() -> db.writeGrouped(h -> {
            h.createUpdate("UPDATE runs SET title = title || ' b' WHERE id = :id").bind("id", y).execute();
            bHoldsY.countDown();
            h.createUpdate("UPDATE runs SET title = title || ' b' WHERE id = :id").bind("id", x).execute();
            return "b";
        }));
        assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(group.retries() - retriesBefore).as("units run again after the deadlock").isEqualTo(1);
        for (String run : List.of(x, y)) {
            String title = db.readOne(h -> h.createQuery("SELECT title FROM runs WHERE id = :id").bind("id", run)
                    .mapTo(String.class).one());
            assertThat(title).as("each unit's update once, the undone attempt's not").matches(".*row [xy] (a b|b a)");
        }
    }

    /**
     * A worker's report retried while its first attempt is an earlier unit of the same batch: that attempt's event is
     * not in the table until the batch's end, and the retry must still find it (and answer its sequence) instead of
     * taking the run for changed under it.
     */
    @Test
    void anEventDeferredByAnEarlierUnitOfTheBatchIsFoundAsTheLatestOfItsRun() throws Exception {
        String run = newRun("reported twice in one batch");
        GroupCommit group = db.groupCommit();
        CountDownLatch inside = new CountDownLatch(group.leaders());
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<String>> holders = new java.util.ArrayList<>();
        for (int i = 0; i < group.leaders(); i++) {
            holders.add(async(() -> db.writeGrouped(h -> { // each takes a leader and keeps it
                inside.countDown();
                await(release);
                return "held";
            })));
        }
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<dev.drover.server.eventlog.Appended> first = async(() -> db.writeGrouped(h ->
                log.appendAtCommit(h, run, "run_succeeded", null, "exec-1", Instant.now(), EventLog.RunRowHeld.NO)));
        awaitWaiting(group, 1);
        CompletableFuture<java.util.Optional<dev.drover.server.eventlog.Appended>> retry = async(() ->
                db.writeGrouped(h -> log.latest(h, run, "run_succeeded", "exec-1")));
        awaitWaiting(group, 2);
        release.countDown(); // both queued units are taken into one batch, in the order they came
        for (CompletableFuture<String> holder : holders) {
            assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("held");
        }
        RunEvent appended = first.get(30, TimeUnit.SECONDS).event();
        assertThat(retry.get(30, TimeUnit.SECONDS)).as("found in the batch before its end").isPresent()
                .get().extracting(dev.drover.server.eventlog.Appended::event).isEqualTo(appended);
        assertThat(log.since(List.of(run), 0, 10)).last().isEqualTo(appended);
    }

    /** On a thread of its own (the common pool has one thread on two cores: the second task would wait for the first). */
    private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, Thread.ofVirtual()::start);
    }

    /**
     * A run is stamped with its creation's sequence right after its insert, by the batch-end append, while the event
     * counter is held. On a page of fresh runs that UPDATE is HOT (no entry in any of runs' indexes) only if the page
     * has room for every new version at once (V28). Counted by PostgreSQL itself, on a database of its own: a node
     * that creates a burst of runs and is closed, so that its connections report their statistics as they end.
     */
    @Test
    void aBurstOfCreatesStampsItsRunsWithoutTouchingAnIndex() throws Exception {
        ServerConfig fresh = backend().freshConfig();
        int creates = 96;
        try (Database node = Database.open(new Database.Settings(fresh.databaseUrl(), fresh.databaseUser(),
                fresh.databasePassword(), fresh.dataDir(), 8))) {
            Runs nodeRuns = new Runs(node, new EventLog(node, new EventBus()), new ModelCatalog(Map.of(), null),
                    new BlobStore(fresh.dataDir().resolve("blobs")), Clock.systemUTC(), () -> "http://127.0.0.1:1", 0,
                    SkillResolver.NONE);
            Accounts nodeAccounts = new Accounts(node, Clock.systemUTC());
            Principal creator = nodeAccounts.ensurePrincipal(Principal.Kind.USER, "burst@x.io",
                    nodeAccounts.ensureTeam("burst"), false);
            try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < creates; i++) {
                    String prompt = "a burst of creates, run " + i + ": " + "fix the flaky test ".repeat(20);
                    done.add(pool.submit(() -> nodeRuns.create(creator, new RunAgentRequest(prompt, null, null, null,
                            null, null, null, null, null, null, null), null, Runs.Origin.api())));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
        }
        Updates stamps = runsUpdates(fresh, creates);
        assertThat(stamps.all()).as("the creations' stamps, as the statistics report them").isEqualTo(creates);
        assertThat(stamps.hot()).as("HOT among them").isEqualTo(creates);
    }

    record Updates(long all, long hot) {}

    /**
     * PostgreSQL's count of the updates of {@code runs} in the database of {@code config}, once it reaches
     * {@code expected} (the statistics arrive a little after the connections that made them end) or after 30 s.
     */
    private static Updates runsUpdates(ServerConfig config, long expected) throws InterruptedException {
        try (Handle h = plainSession(config).open()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Updates seen = new Updates(0, 0);
            while (seen.all() < expected && System.nanoTime() < deadline) {
                Thread.sleep(100); // the ended connections' statistics reach PostgreSQL's counters on their own time
                h.execute("SELECT pg_stat_clear_snapshot()");
                seen = h.createQuery("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'runs'")
                        .map((rs, ctx) -> new Updates(rs.getLong(1), rs.getLong(2))).findOne().orElse(seen);
            }
            return seen;
        }
    }

    /** Connections of the database of {@code config} as a new session has them: no pool, no settings of Drover's. */
    private static Jdbi plainSession(ServerConfig config) {
        Properties login = new Properties();
        login.setProperty("user", config.databaseUser());
        if (config.databasePassword() != null) {
            login.setProperty("password", config.databasePassword());
        }
        return Jdbi.create(config.databaseUrl(), login);
    }
}
