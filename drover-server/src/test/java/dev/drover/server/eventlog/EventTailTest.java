package dev.drover.server.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunEvent;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The node's tail of the event log on a real database: order, the backlog/tail boundary, the bounded ring and
 * queues, a slow consumer falling back to a database re-read, and reads per event rather than per watcher.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EventTailTest {
    static final Duration SHORT = Duration.ofSeconds(5);

    Database db;
    EventBus bus;
    EventLog log;
    Runs runs;
    Principal owner;
    CountingSource source;
    EventTail tail;

    abstract Backend backend();

    @BeforeAll
    void open() {
        ServerConfig config = backend().freshConfig();
        db = Database.open(new Database.Settings(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                config.dataDir(), 8));
        bus = new EventBus();
        log = new EventLog(db, bus);
        runs = new Runs(db, log, new ModelCatalog(Map.of(), null), new BlobStore(config.dataDir().resolve("blobs")),
                Clock.systemUTC(), () -> "http://127.0.0.1:1", 0, SkillResolver.NONE);
        Accounts accounts = new Accounts(db, Clock.systemUTC());
        owner = accounts.ensurePrincipal(Principal.Kind.USER, "tail@x.io", accounts.ensureTeam("tail"), false);
    }

    @AfterEach
    void stopTail() {
        if (tail != null) {
            tail.close();
        }
    }

    @AfterAll
    void close() {
        db.close();
    }

    private EventTail start(EventTail.Settings settings) {
        source = new CountingSource(EventTail.of(log));
        tail = new EventTail(source, bus, settings).start();
        return tail;
    }

    private EventTail start() {
        return start(new EventTail.Settings(1_024, 64, 100, Duration.ofSeconds(1)));
    }

    private String newRun() {
        return runs.create(owner, new RunAgentRequest("tail", null, null, null, null, null, null, null, null, null, null),
                null, Runs.Origin.api()).runId();
    }

    /** One event on the run, committed as every feature commits its events (the bus hears of it after commit). */
    private long append(String runId) {
        return db.write(h -> log.append(h, runId, "transcript_appended", null, null, Instant.now())).sequence();
    }

    private static List<RunEvent> take(EventSubscription sub, int count) throws InterruptedException {
        List<RunEvent> out = new ArrayList<>();
        long end = System.nanoTime() + SHORT.toNanos();
        while (out.size() < count && System.nanoTime() < end) {
            out.addAll(sub.next(500, Duration.ofMillis(200)));
        }
        return out;
    }

    private static List<Long> sequences(List<RunEvent> events) {
        return events.stream().map(RunEvent::sequence).toList();
    }

    @Test
    void aSubscriptionReceivesEveryLaterEventOfItsRunsInOrderAndNoOtherRunsEvents() throws Exception {
        start();
        String watched = newRun();
        String other = newRun();
        try (EventSubscription sub = tail.subscribe(Set.of(watched), log.head())) {
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(append(watched));
                append(other);
            }
            List<RunEvent> got = take(sub, expected.size());
            assertThat(sequences(got)).containsExactlyElementsOf(expected);
            assertThat(got).allMatch(e -> e.runId().equals(watched));
            assertThat(sub.next(500, Duration.ofMillis(300))).as("nothing more, least of all the other run's").isEmpty();
        }
    }

    @Test
    void watchersStartingAnywhereInThePastWhileWritersCommitGetTheLogExactlyOnceAcrossTheBacklogTailBoundary()
            throws Exception {
        // a small ring, so that some watchers start below it (database backlog) and some inside it (ring backlog)
        start(new EventTail.Settings(32, 1_024, 16, Duration.ofSeconds(1)));
        String run = newRun();
        long first = append(run);
        for (int i = 0; i < 40; i++) {
            append(run);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        int writes = 150;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < writes; i++) {
                    append(run);
                }
                writing.set(false);
                return null;
            });
            List<Future<List<Long>>> watchers = new ArrayList<>();
            List<Long> starts = new ArrayList<>();
            for (int w = 0; w < 24; w++) {
                long since = first - 1 + (w * 9L) % 180; // below the ring, inside it, ahead of the tail
                starts.add(since);
                watchers.add(pool.submit(() -> {
                    try (EventSubscription sub = tail.subscribe(Set.of(run), since)) {
                        List<Long> seen = new ArrayList<>();
                        while (true) {
                            boolean last = !writing.get();
                            List<RunEvent> got = sub.next(7, Duration.ofMillis(300)); // small pages cross the boundary
                            got.forEach(e -> seen.add(e.sequence()));
                            if (got.isEmpty() && last) {
                                return seen;
                            }
                        }
                    }
                }));
                Thread.sleep(5);
            }
            writer.get();
            for (int w = 0; w < watchers.size(); w++) {
                List<Long> expected = sequences(log.since(List.of(run), starts.get(w), 500));
                assertThat(expected).isNotEmpty();
                assertThat(watchers.get(w).get()).as("watcher from " + starts.get(w)).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void aSlowConsumersQueueIsBoundedAndItCatchesUpByReReadingTheDatabase() throws Exception {
        start(new EventTail.Settings(8, 4, 100, Duration.ofSeconds(1)));
        String run = newRun();
        try (EventSubscription sub = tail.subscribe(Set.of(run), log.head())) {
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                expected.add(append(run));
            }
            org.awaitility.Awaitility.await().atMost(SHORT).until(() -> tail.cursor() >= expected.getLast());
            assertThat(sub.queued()).as("never more than the queue's size held for one watcher").isLessThanOrEqualTo(4);
            int backlogReads = source.between.get();
            List<RunEvent> got = take(sub, expected.size());
            assertThat(sequences(got)).containsExactlyElementsOf(expected);
            assertThat(sub.rereads()).isEqualTo(1);
            assertThat(source.between.get()).as("the catch-up came from the database (the ring is too small)")
                    .isGreaterThan(backlogReads);
            Long next = append(run);
            assertThat(sequences(take(sub, 1))).as("back on the tail after catching up").containsExactly(next);
        }
    }

    @Test
    void aRecentBacklogComesFromTheRingAndAnOlderOneFromTheDatabase() throws Exception {
        start(new EventTail.Settings(16, 64, 100, Duration.ofSeconds(1)));
        String run = newRun();
        long before = log.head();
        List<Long> appended = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            appended.add(append(run));
        }
        org.awaitility.Awaitility.await().atMost(SHORT).until(() -> tail.cursor() >= appended.getLast());
        int reads = source.between.get();
        long recent = appended.get(12);
        try (EventSubscription sub = tail.subscribe(Set.of(run), recent)) {
            assertThat(sequences(sub.next(500, Duration.ZERO))).containsExactlyElementsOf(appended.subList(13, 24));
        }
        assertThat(source.between.get()).as("served from memory").isEqualTo(reads);
        try (EventSubscription sub = tail.subscribe(Set.of(run), before)) {
            assertThat(sequences(sub.next(500, Duration.ZERO))).containsExactlyElementsOf(appended);
        }
        assertThat(source.between.get()).as("older than the ring: one database read").isEqualTo(reads + 1);
    }

    @Test
    void manyWatchersOfOneRunCostOneReadOfTheLogPerBatchNotOnePerWatcher() throws Exception {
        start();
        String run = newRun();
        int watchers = 300;
        List<EventSubscription> subs = new ArrayList<>();
        for (int i = 0; i < watchers; i++) {
            subs.add(tail.subscribe(Set.of(run), log.head()));
        }
        try {
            int readsBefore = source.after.get();
            int events = 10;
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                expected.add(append(run));
            }
            AtomicInteger complete = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (EventSubscription sub : subs) {
                    pool.submit(() -> {
                        if (sequences(take(sub, events)).equals(expected)) {
                            complete.incrementAndGet();
                        }
                        return null;
                    });
                }
            }
            assertThat(complete.get()).isEqualTo(watchers);
            // each commit wakes the reader at most once (plus the odd poll); the watchers never read the log
            assertThat(source.after.get() - readsBefore).isLessThanOrEqualTo(events + 3);
            assertThat(source.between.get()).isZero();
        } finally {
            subs.forEach(EventSubscription::close);
        }
    }

    /** A tail that reads the log only when told of another node's commit (no poll while a test runs). */
    private EventTail startWithoutPoll() {
        return start(new EventTail.Settings(1_024, 1_024, 100, Duration.ofMinutes(5)));
    }

    @Test
    void aCommitOnThisNodeReachesItsWatchersWithoutAReadOfTheLog() throws Exception {
        startWithoutPoll();
        String run = newRun();
        try (EventSubscription sub = tail.subscribe(Set.of(run), tail.cursor())) {
            int reads = source.after.get();
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add(append(run));
            }
            assertThat(sequences(take(sub, expected.size()))).containsExactlyElementsOf(expected);
            assertThat(source.after.get()).as("each committing thread handed its event over").isEqualTo(reads);
        }
    }

    @Test
    void aCommitHandedOverAheadOfASmallerSequenceWaitsUntilThatOneIsDelivered() throws Exception {
        startWithoutPoll();
        String run = newRun();
        // commits this tail does not hear of by itself (another node's, no NOTIFY): the test hands them over
        EventLog elsewhere = new EventLog(db, new EventBus());
        try (EventSubscription sub = tail.subscribe(Set.of(run), tail.cursor())) {
            int reads = source.after.get();
            RunEvent first = db.write(h -> elsewhere.append(h, run, "transcript_appended", null, null, Instant.now()));
            RunEvent second = db.write(h -> elsewhere.append(h, run, "transcript_appended", null, null, Instant.now()));
            tail.handOff(second); // the later commit's thread got here first
            assertThat(sub.next(10, Duration.ofMillis(300))).as("never ahead of a smaller sequence").isEmpty();
            assertThat(tail.cursor()).isEqualTo(first.sequence() - 1);
            tail.handOff(first);
            assertThat(take(sub, 2)).containsExactly(first, second);
            assertThat(tail.cursor()).isEqualTo(second.sequence());
            assertThat(source.after.get()).as("both came from their commits").isEqualTo(reads);
        }
    }

    @Test
    void aCommitHandedOverAheadOfAnotherNodesCommitFollowsItOnceTheReaderHasReadTheLog() throws Exception {
        startWithoutPoll();
        String run = newRun();
        EventLog otherNode = new EventLog(db, new EventBus());
        try (EventSubscription sub = tail.subscribe(Set.of(run), tail.cursor())) {
            RunEvent theirs = db.write(h -> otherNode.append(h, run, "transcript_appended", null, null, Instant.now()));
            RunEvent ours = db.write(h -> otherNode.append(h, run, "new_message", null, null, Instant.now()));
            tail.handOff(ours);
            assertThat(sub.next(10, Duration.ofMillis(300))).as("the other node's commit is not known yet").isEmpty();
            bus.published(theirs.sequence()); // its NOTIFY arrives: the reader reads the log
            assertThat(take(sub, 2)).containsExactly(theirs, ours);
            assertThat(tail.heldEarly()).as("nothing left waiting").isZero();
        }
    }

    @Test
    void concurrentCommitsHandedOverInAnyOrderReachAWatcherInTheLogsOrderExactlyOnce() throws Exception {
        startWithoutPoll();
        String run = newRun();
        try (EventSubscription sub = tail.subscribe(Set.of(run), tail.cursor())) {
            long from = tail.cursor();
            int writers = 8;
            int each = 25;
            try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            append(run);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            List<RunEvent> got = take(sub, writers * each);
            assertThat(got).containsExactlyElementsOf(log.since(List.of(run), from, 500));
            assertThat(got).hasSize(writers * each);
        }
    }

    @Test
    void closingTheTailEndsEveryWaitingWatcherAtOnce() throws Exception {
        start();
        String run = newRun();
        EventSubscription sub = tail.subscribe(Set.of(run), log.head());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<RunEvent>> waiting = pool.submit(() -> sub.next(10, Duration.ofSeconds(60)));
            Thread.sleep(200); // the watcher is parked in next() before the event is written
            long started = System.nanoTime();
            tail.close();
            assertThat(waiting.get()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        }
    }

    /** The real log, with its reads counted: the tail's own ({@code after}) and the watchers' backlogs. */
    static final class CountingSource implements EventTail.Source {
        final EventTail.Source log;
        final AtomicInteger after = new AtomicInteger();
        final AtomicInteger between = new AtomicInteger();

        CountingSource(EventTail.Source log) {
            this.log = log;
        }

        @Override
        public List<RunEvent> after(long from, int limit) {
            after.incrementAndGet();
            return log.after(from, limit);
        }

        @Override
        public List<RunEvent> between(Set<String> runIds, long since, long upTo, int limit) {
            between.incrementAndGet();
            return log.between(runIds, since, upTo, limit);
        }

        @Override
        public long head() {
            return log.head();
        }
    }
}
