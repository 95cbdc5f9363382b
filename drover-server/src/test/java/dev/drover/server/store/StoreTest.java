package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunEvent;
import dev.drover.api.RunState;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.ApiKeys;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.eventlog.EventBus;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.Runs;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.Races;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The store below HTTP, the same suite on both databases: the database, the event log, the runs service and the
 * accounts wired by hand, as {@code DroverServer} wires them, with no web server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreTest {
    Database db;
    EventLog log;
    final EventBus bus = new EventBus();
    Runs runs;
    Accounts accounts;
    Principal owner;

    abstract Backend backend();

    ServerConfig config;

    @BeforeAll
    void open() {
        config = backend().freshConfig();
        db = Database.open(new Database.Settings(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                config.dataDir(), 8));
        log = new EventLog(db, bus);
        runs = new Runs(db, log, new ModelCatalog(Map.of(), null), new BlobStore(config.dataDir().resolve("blobs")),
                Clock.systemUTC(), () -> "http://127.0.0.1:1", 0, dev.drover.server.runs.SkillResolver.NONE);
        accounts = new Accounts(db, Clock.systemUTC());
        owner = accounts.ensurePrincipal(Principal.Kind.USER, "store@x.io", accounts.ensureTeam("store"), false);
    }

    @AfterAll
    void close() {
        db.close();
    }

    String newRun(String prompt) {
        return runs.create(owner, new RunAgentRequest(prompt, null, null, null, null, null, null, null, null, null, null),
                null, Runs.Origin.api()).runId();
    }

    long count(String sql, Object... binds) {
        return db.readOne(h -> {
            var q = h.createQuery(sql);
            for (int i = 0; i < binds.length; i++) {
                q.bind(i, binds[i]);
            }
            return q.mapTo(Long.class).one();
        });
    }

    /** The tables the database reports (lower case), read from the driver's metadata, not from our migrations. */
    private List<String> tableNames() {
        return db.readOne(h -> {
            try (java.sql.ResultSet rs = h.getConnection().getMetaData()
                    .getTables(null, null, "%", new String[] {"TABLE"})) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
                }
                return names;
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String state(String run) {
        return db.readOne(h -> h.createQuery("SELECT state FROM runs WHERE id = :id").bind("id", run)
                .mapTo(String.class).one());
    }

    /** The migration scripts shipped for this database, by version. */
    private List<String> migrationVersions() {
        try {
            Path dir = Path.of(StoreTest.class.getResource("/db/migration/" + db.dialect().name()).toURI());
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                        .map(n -> n.substring(1, n.indexOf("__"))).sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyMigrationIsAppliedInOrderAndTheSchemaIsUsable() {
        List<String> shipped = migrationVersions();
        assertThat(shipped).hasSizeGreaterThanOrEqualTo(8).startsWith("1");
        List<String> applied = db.readOne(h -> h.createQuery(
                        "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL "
                                + "ORDER BY installed_rank").mapTo(String.class).list());
        assertThat(applied).containsExactlyElementsOf(shipped);
        assertThat(count("SELECT COUNT(*) FROM flyway_schema_history WHERE success = FALSE")).isZero();
        assertThat(tableNames()).contains("teams", "principals", "team_members", "api_keys", "runs", "run_metadata",
                "run_attachments", "artifacts", "idempotency_keys", "events", "event_counter", "messages", "workers",
                "run_tokens");
        assertThat(count("SELECT COUNT(*) FROM event_counter")).as("one counter row").isEqualTo(1);
    }

    @Test
    void migratingAgainChangesNothing() {
        ServerConfig config = backend().freshConfig();
        Database.Settings settings = new Database.Settings(config.databaseUrl(), config.databaseUser(),
                config.databasePassword(), config.dataDir(), 2);
        try (Database first = Database.open(settings)) {
            first.write(h -> h.execute("INSERT INTO teams (id, name, created_at) VALUES ('t', 'kept', 1)"));
        }
        try (Database second = Database.open(settings)) {
            String name = second.readOne(h -> h.createQuery("SELECT name FROM teams WHERE id = 't'")
                    .mapTo(String.class).one());
            long versions = second.readOne(h -> h.createQuery(
                    "SELECT COUNT(*) FROM flyway_schema_history WHERE version IS NOT NULL").mapTo(Long.class).one());
            assertThat(name).isEqualTo("kept");
            assertThat(versions).as("each migration applied once").isEqualTo(migrationVersions().size());
        }
    }

    @Test
    void anEventAppendedInATransactionThatFailsLeavesNoTrace() {
        String run = newRun("rollback");
        long head = log.head();
        long updatedSeq = count("SELECT updated_seq FROM runs WHERE id = ?", run);
        List<RunEvent> inside = new ArrayList<>();
        assertThatThrownBy(() -> db.write(h -> {
            inside.add(log.append(h, run, "run_pending", null, null, Instant.now()));
            h.createUpdate("UPDATE runs SET state = 'PENDING' WHERE id = :id").bind("id", run).execute();
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(inside.getFirst().sequence()).as("the append had taken the next number").isEqualTo(head + 1);

        assertThat(log.head()).as("the counter bump was rolled back").isEqualTo(head);
        assertThat(count("SELECT COUNT(*) FROM events WHERE sequence > ?", head)).isZero();
        assertThat(log.since(List.of(run), 0, 100)).extracting(RunEvent::eventType).containsExactly("run_queued");
        assertThat(state(run)).isEqualTo("QUEUED");
        assertThat(count("SELECT updated_seq FROM runs WHERE id = ?", run)).isEqualTo(updatedSeq);

        // the next committed append takes the number the failed one gave back: no gap
        RunEvent next = db.write(h -> log.append(h, run, "run_pending", null, null, Instant.now()));
        assertThat(next.sequence()).isEqualTo(head + 1);
        assertThat(log.head()).isEqualTo(head + 1);
        assertThat(count("SELECT MAX(sequence) FROM events")).isEqualTo(log.head());
    }

    /**
     * A grouped unit alone in its transaction runs without a savepoint: when it fails, the whole transaction is rolled
     * back and its caller gets its own error; nothing of it is left, its event is never handed to watchers, and the
     * next unit commits as usual.
     */
    @Test
    void aGroupedUnitThatFailsAloneInItsTransactionLeavesNothingAndItsCallerGetsItsOwnError() {
        String run = newRun("alone");
        long head = log.head();
        List<RunEvent> handed = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.function.Consumer<RunEvent> taker = handed::add;
        bus.onLocalCommit(taker);
        try {
            ApiException refused = ApiException.conflict("alone: refused after its writes", false);
            assertThatThrownBy(() -> db.writeGrouped(h -> {
                h.createUpdate("UPDATE runs SET state = 'PENDING' WHERE id = :id").bind("id", run).execute();
                log.appendAtCommit(h, run, "run_pending", null, null, Instant.now(), EventLog.RunRowHeld.LOCKED);
                throw refused;
            })).isSameAs(refused);
            assertThat(state(run)).isEqualTo("QUEUED");
            assertThat(log.head()).isEqualTo(head);
            assertThat(log.since(List.of(run), 0, 10)).extracting(RunEvent::eventType).containsExactly("run_queued");

            RunEvent next = db.writeGrouped(h -> {
                h.createUpdate("UPDATE runs SET state = 'PENDING' WHERE id = :id").bind("id", run).execute();
                return log.appendAtCommit(h, run, "run_pending", null, null, Instant.now(), EventLog.RunRowHeld.LOCKED);
            }).event();
            assertThat(next.sequence()).isEqualTo(head + 1);
            assertThat(state(run)).isEqualTo("PENDING");
            assertThat(handed).as("only the committed event handed over").containsExactly(next);
        } finally {
            bus.removeLocalCommit(taker);
        }
    }

    /**
     * Group commit: units that queue while a transaction is open share the next one, each in a savepoint. Units
     * that fail after appending must leave nothing — not their event, not their state change, not their counter
     * bump — while every other unit of the same transaction commits and gets its own answer. On PostgreSQL several
     * batches are written at once (so units need not queue behind the held one) and the events are appended at
     * each batch's end; the same outcome is required.
     */
    @Test
    void unitsGroupedIntoOneTransactionCommitOrFailEachOnItsOwnAndLeaveTheLogWithoutAHole() throws Exception {
        int units = 24;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            ids.add(newRun("grouped " + i));
        }
        long head = log.head();
        GroupCommit group = db.groupCommit();
        long transactionsBefore = group.transactions();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        // what the node's tail would be handed after the commit: only events that exist (a rolled-back unit's would be
        // a phantom whose sequence the next unit takes)
        List<RunEvent> handed = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.function.Consumer<RunEvent> taker = handed::add;
        bus.onLocalCommit(taker);
        try (ExecutorService pool = Executors.newFixedThreadPool(units)) {
            for (int i = 0; i < units; i++) {
                int n = i;
                answers.add(pool.submit(() -> db.writeGrouped(h -> {
                    if (n == 0) {
                        // hold the writer until every other unit has queued behind it
                        firstInside.countDown();
                        await(release);
                    }
                    h.createUpdate("UPDATE runs SET state = 'PENDING' WHERE id = :id").bind("id", ids.get(n)).execute();
                    log.appendAtCommit(h, ids.get(n), "run_pending", "unit " + n, null, Instant.now(),
                            EventLog.RunRowHeld.NO);
                    if (n % 3 == 2) {
                        throw new IllegalStateException("unit " + n + " fails after its append");
                    }
                    return "unit " + n;
                })));
                if (i == 0) {
                    assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
                }
            }
            if (group.leaders() == 1) {
                awaitWaiting(group, units - 1);
            }
            release.countDown();
            for (int i = 0; i < units; i++) {
                int n = i;
                if (n % 3 == 2) {
                    assertThatThrownBy(() -> answers.get(n).get()).hasRootCauseMessage("unit " + n + " fails after its append");
                    assertThat(state(ids.get(n))).as("unit " + n + "'s change was undone").isEqualTo("QUEUED");
                    assertThat(log.since(List.of(ids.get(n)), 0, 10)).extracting(RunEvent::eventType)
                            .containsExactly("run_queued");
                } else {
                    assertThat(answers.get(n).get()).isEqualTo("unit " + n);
                    assertThat(state(ids.get(n))).isEqualTo("PENDING");
                    List<RunEvent> own = log.since(List.of(ids.get(n)), head, 10);
                    assertThat(own).extracting(RunEvent::eventType, RunEvent::refId)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("run_pending", "unit " + n));
                    assertThat(count("SELECT updated_seq FROM runs WHERE id = ?", ids.get(n)))
                            .isEqualTo(own.getFirst().sequence());
                }
            }
        } finally {
            bus.removeLocalCommit(taker);
        }
        assertThat(handed).as("every committed event handed over once, none of the rolled-back units'")
                .containsExactlyInAnyOrderElementsOf(log.after(head, 100));
        long committed = units - units / 3;
        assertThat(log.head()).as("only the units that succeeded bumped the counter").isEqualTo(head + committed);
        assertThat(count("SELECT COUNT(*) FROM events WHERE sequence > ?", head)).isEqualTo(committed);
        assertThat(count("SELECT MAX(sequence) FROM events")).isEqualTo(head + committed);
        if (group.leaders() == 1) {
            // a batch with a failing unit is written twice: first with no savepoints (rolled back when a unit
            // throws), then with one around each unit
            assertThat(group.transactions() - transactionsBefore).as("the queued units shared transactions")
                    .isLessThanOrEqualTo(1 + 2L * ((units - 1 + GroupCommit.MAX_BATCH - 1) / GroupCommit.MAX_BATCH));
        }
    }

    /**
     * A read is one snapshot: a change committed between two of its statements is not in the second (on PostgreSQL
     * the transaction's level is set by its first statement, not by asking and setting the connection's).
     */
    @Test
    void aReadSeesOneSnapshotThoughAChangeCommitsBetweenItsStatements() {
        String run = newRun("before");
        String[] seen = db.read(h -> {
            String first = title(h, run);
            CompletableFuture.runAsync(() -> db.write(w -> w.createUpdate(
                    "UPDATE runs SET title = 'after' WHERE id = :id").bind("id", run).execute()),
                    Thread.ofVirtual()::start).join();
            return new String[] {first, title(h, run)};
        });
        assertThat(seen).containsExactly("before", "before");
        assertThat(title(run)).isEqualTo("after");
    }

    /**
     * A batch runs its units without savepoints while none fails. One that fails has the batch rolled back and written
     * again with a savepoint around each unit: every other unit then commits once (its change and its commit hook
     * once, not once per pass), the failing one leaves nothing and its caller gets its own error. The next batch
     * starts with savepoints, and the one after a batch with no failing unit goes without them again.
     */
    @Test
    void aBatchGoesWithoutSavepointsUntilAUnitFailsAndThenOnceMoreWithThemAndSoDoesTheNextUntilABatchIsClean()
            throws Exception {
        GroupCommit group = new GroupCommit(db::write, 1, e -> false);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(newRun("batch " + i));
        }
        java.util.concurrent.atomic.AtomicInteger hooks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.IntFunction<org.jdbi.v3.core.HandleCallback<String, RuntimeException>> tag = n -> h -> {
            h.createUpdate("UPDATE runs SET title = title || ' +' WHERE id = :id").bind("id", ids.get(n)).execute();
            CommitHooks.afterCommit(h, hooks::incrementAndGet);
            if (n == 2 && h.createQuery("SELECT title FROM runs WHERE id = :id").bind("id", ids.get(n))
                    .mapTo(String.class).one().endsWith("+ +")) {
                throw new IllegalStateException("unit 2 fails on its second change");
            }
            return "unit " + n;
        };
        try (ExecutorService pool = Executors.newFixedThreadPool(5)) {
            // 1. clean: one transaction (beside the holder's), no savepoints
            long transactions = group.transactions();
            assertThat(oneBatch(group, pool, List.of(tag.apply(0), tag.apply(1), tag.apply(2), tag.apply(3))))
                    .containsExactly("unit 0", "unit 1", "unit 2", "unit 3");
            assertThat(group.transactions() - transactions).isEqualTo(2);
            assertThat(group.guardedPasses()).isZero();
            assertThat(hooks.getAndSet(0)).isEqualTo(4);

            // 2. unit 2 fails: the batch is rolled back and written again in savepoints
            transactions = group.transactions();
            assertThat(oneBatch(group, pool, List.of(tag.apply(0), tag.apply(1), tag.apply(2), tag.apply(3))))
                    .containsExactly("unit 0", "unit 1", "unit 2 fails on its second change", "unit 3");
            assertThat(group.transactions() - transactions).isEqualTo(3);
            assertThat(group.guardedPasses()).isEqualTo(1);
            assertThat(hooks.getAndSet(0)).as("the kept units' hooks, once each").isEqualTo(3);
            for (int n : new int[] {0, 1, 3}) {
                assertThat(title(ids.get(n))).as("unit " + n + " changed once per batch")
                        .isEqualTo("batch " + n + " + +");
            }
            assertThat(title(ids.get(2))).as("nothing of the failed unit").isEqualTo("batch 2 +");

            // 3. clean, but after a failing batch: savepoints from the start, one transaction
            transactions = group.transactions();
            assertThat(oneBatch(group, pool, List.of(tag.apply(0), tag.apply(1), tag.apply(3))))
                    .containsExactly("unit 0", "unit 1", "unit 3");
            assertThat(group.transactions() - transactions).isEqualTo(2);
            assertThat(group.guardedPasses()).isEqualTo(2);

            // 4. clean after a clean one: no savepoints again
            oneBatch(group, pool, List.of(tag.apply(0), tag.apply(1), tag.apply(3)));
            assertThat(group.guardedPasses()).isEqualTo(2);
            assertThat(hooks.get()).isEqualTo(6);
            assertThat(title(ids.get(0))).isEqualTo("batch 0 + + + +");
        }
    }

    /**
     * {@code units} written as one batch of {@code group} (one leader): a holder keeps the leader until all of them
     * have queued. Their answers, or their errors' messages.
     */
    private static List<String> oneBatch(GroupCommit group, ExecutorService pool,
            List<org.jdbi.v3.core.HandleCallback<String, RuntimeException>> units) throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> holder = pool.submit(() -> group.write(h -> {
            inside.countDown();
            await(release);
            return "holder";
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<String>> answers = units.stream().map(u -> pool.submit(() -> group.write(u))).toList();
        awaitWaiting(group, units.size());
        release.countDown();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("holder");
        List<String> out = new ArrayList<>();
        for (Future<String> answer : answers) {
            try {
                out.add(answer.get(30, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                out.add(e.getCause().getMessage());
            }
        }
        return out;
    }

    private String title(String run) {
        return db.readOne(h -> title(h, run));
    }

    private static String title(org.jdbi.v3.core.Handle h, String run) {
        return h.createQuery("SELECT title FROM runs WHERE id = :id").bind("id", run).mapTo(String.class).one();
    }

    /** Until {@code units} units are queued in {@code group} behind the transactions it is writing, and no more. */
    static void awaitWaiting(GroupCommit group, int units) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(5)).until(() -> group.waiting() >= units);
        assertThat(group.waiting()).as("units queued behind the held transactions").isEqualTo(units);
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCompareAndSetHeldOpenByOneWriterMakesTheSecondFail() throws Exception {
        String run = newRun("staged race");
        CountDownLatch changed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> db.write(h -> {
            int rows = h.createUpdate("UPDATE runs SET state = 'PENDING' WHERE id = :id AND state = 'QUEUED'")
                    .bind("id", run).execute();
            log.append(h, run, "run_pending", null, null, Instant.now());
            changed.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rows;
        }));
        assertThat(changed.await(30, TimeUnit.SECONDS)).isTrue();
        Races.Attempt<RunEvent> second = Races.start(
                () -> runs.advance(run, RunState.PENDING, null));
        Races.awaitBlocked(db, second);
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> second.result().join()).cause().isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(409));
        assertThat(state(run)).isEqualTo("PENDING");
        assertThat(count("SELECT COUNT(*) FROM events WHERE run_id = ? AND event_type = 'run_pending'", run))
                .isEqualTo(1);
    }

    @Test
    void anAppendWaitingForARunThatAnotherWriterChangesDoesNotDeadlockWithIt() throws Exception {
        String run = newRun("no deadlock");
        long head = log.head();
        CountDownLatch changed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // like a cancel of a running run: the run's row is written first, its event appended after
        CompletableFuture<RunEvent> first = CompletableFuture.supplyAsync(() -> db.write(h -> {
            h.createUpdate("UPDATE runs SET cancel_requested = TRUE WHERE id = :id").bind("id", run).execute();
            changed.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return log.append(h, run, "run_cancel_requested", null, null, Instant.now());
        }));
        assertThat(changed.await(30, TimeUnit.SECONDS)).isTrue();
        // like a worker's transcript arriving meanwhile: an append with nothing written before it
        Races.Attempt<RunEvent> second = Races.start(() ->
                db.write(h -> log.append(h, run, "transcript_appended", null, null, Instant.now())));
        Races.awaitBlocked(db, second);
        release.countDown();

        RunEvent cancel = first.get(30, TimeUnit.SECONDS);
        RunEvent transcript = second.result().get(30, TimeUnit.SECONDS);
        assertThat(List.of(cancel.sequence(), transcript.sequence())).containsExactlyInAnyOrder(head + 1, head + 2);
        assertThat(log.since(List.of(run), head, 10)).extracting(RunEvent::eventType)
                .containsExactlyInAnyOrder("run_cancel_requested", "transcript_appended");
    }

    @Test
    void concurrentTransitionsFromOneStateLetExactlyOneWin() throws Exception {
        for (int round = 0; round < 5; round++) {
            String run = newRun("race " + round);
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<Boolean>> attempts = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                for (int i = 0; i < 4; i++) {
                    attempts.add(pool.submit(() -> {
                        start.await();
                        try {
                            runs.advance(run, RunState.PENDING, null);
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
            assertThat(count("SELECT COUNT(*) FROM events WHERE run_id = ? AND event_type = 'run_pending'", run))
                    .isEqualTo(1);
        }
    }

    @Test
    void keysAreCreatedListedAndRevoked() {
        String team = accounts.ensureTeam("keys-" + UUID.randomUUID());
        assertThat(accounts.ensureTeam("keys-same")).as("teams are found by name").isEqualTo(accounts.ensureTeam("keys-same"));
        Principal user = accounts.ensurePrincipal(Principal.Kind.USER, "keys-" + UUID.randomUUID() + "@x.io", team, false);
        assertThat(accounts.ensurePrincipal(Principal.Kind.USER, user.email(), team, false).id()).isEqualTo(user.id());
        assertThat(user.teamIds()).containsExactly(team);

        Accounts.CreatedKey a = accounts.createKey(user, "laptop", null);
        Accounts.CreatedKey b = accounts.createKey(user, "ci", null, Accounts.WORKER_KEY);
        assertThat(a.secret()).startsWith(ApiKeys.PREFIX).hasSize(47).isNotEqualTo(b.secret());
        assertThat(accounts.keyExists(a.secret())).isTrue();
        Principal viaA = accounts.authenticate(a.secret()).orElseThrow();
        assertThat(viaA.id()).isEqualTo(user.id());
        assertThat(viaA.teamIds()).containsExactly(team);
        assertThat(viaA.worker()).isFalse();
        assertThat(accounts.authenticate(b.secret()).orElseThrow().worker()).isTrue();

        List<Accounts.KeyInfo> listed = accounts.listKeys().stream()
                .filter(k -> k.principalId().equals(user.id())).toList();
        assertThat(listed).extracting(Accounts.KeyInfo::name).containsExactly("laptop", "ci");
        Accounts.KeyInfo laptop = listed.getFirst();
        assertThat(laptop.id()).isEqualTo(a.id());
        assertThat(laptop.prefix()).isEqualTo(a.secret().substring(0, 10));
        assertThat(laptop.principalName()).isEqualTo(user.email());
        assertThat(laptop.principalKind()).isEqualTo("user");
        assertThat(laptop.keyKind()).isEqualTo(Accounts.STANDARD_KEY);
        assertThat(listed.get(1).keyKind()).isEqualTo(Accounts.WORKER_KEY);
        assertThat(laptop.revokedAtMicros()).isNull();
        assertThat(laptop.lastUsedAtMicros()).as("authenticate records the use").isNotNull();
        assertThat(laptop.toString()).doesNotContain(a.secret().substring(10));

        assertThat(accounts.revokeKey(a.id())).isTrue();
        assertThat(accounts.authenticate(a.secret())).isEmpty();
        assertThat(accounts.revokeKey(a.id())).as("a revoked key cannot be revoked again").isFalse();
        assertThat(accounts.authenticate(b.secret())).as("the other key still works").isPresent();
        assertThat(accounts.revokeKey(b.secret().substring(0, 10))).as("revoked by its prefix").isTrue();
        assertThat(accounts.authenticate(b.secret())).isEmpty();
        assertThat(accounts.revokeKey("drv_nosuch")).isFalse();
        assertThat(accounts.listKeys().stream().filter(k -> k.principalId().equals(user.id())))
                .allSatisfy(k -> assertThat(k.revokedAtMicros()).isNotNull());
        assertThat(accounts.keyExists(a.secret())).as("revoked keys stay listed").isTrue();
    }

    @Test
    void timestampsRoundTripToTheMicrosecond() {
        Instant t = Instant.parse("2026-11-28T12:34:56.123456Z");
        assertThat(Times.instant(Times.micros(t))).isEqualTo(t);
        String run = newRun("times");
        long created = count("SELECT created_at FROM runs WHERE id = ?", run);
        assertThat(Times.micros(Times.instant(created))).isEqualTo(created);
    }
}
