package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one reader of the event log. A single thread follows the log past {@link #cursor()} (woken by
 * {@link EventBus#published} after a NOTIFY of another node's commit, and on a short poll besides), keeps the newest
 * events in a bounded ring and hands each to the subscriptions of its run, in memory. This node's own commits are
 * handed over by the committing thread ({@link #handOff}) and need no read at all. SSE streams and long-polls are
 * served from here: the database is read at most once per batch of events for the whole node, not once per watcher.
 *
 * <p>Why nothing is missed or sent twice (docs/events.md, "Watchers"): a subscription is registered under the
 * tail's lock and remembers the cursor at that moment ({@code c0}); every event above {@code c0} is offered to it by
 * the reader, every event at or below {@code c0} comes from its backlog (the ring, or the database read with
 * {@code sequence <= c0}). The reader reads {@code sequence > cursor} in order, and a committed sequence implies every
 * smaller one has committed (the counter row's lock, see "The ordering guarantee"), so the cursor never jumps a gap.
 *
 * <p>Memory is bounded: the ring holds {@link Settings#ringSize} events and each subscription queues at most
 * {@link Settings#queueSize}. A subscription whose queue overflows drops it and re-reads from the database from
 * its own position (a slow consumer costs itself one read, never the node an unbounded buffer).
 */
public final class EventTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventTail.class);

    /** Sizes and the poll interval; tests shrink them to exercise overflow and the ring's edge. */
    public record Settings(int ringSize, int queueSize, int readBatch, Duration poll) {
        public static final Settings DEFAULT = new Settings(16_384, 1_024, 1_000, Duration.ofSeconds(1));
    }

    /** Where a tail reads events from: the log in production, a list in unit tests of the tail alone. */
    public interface Source {
        /** Committed events with a sequence above {@code after}, oldest first, at most {@code limit}. */
        List<RunEvent> after(long after, int limit);

        /** Events of {@code runIds} with {@code since < sequence <= upTo}, oldest first, at most {@code limit}. */
        List<RunEvent> between(Set<String> runIds, long since, long upTo, int limit);

        long head();
    }

    private final Source source;
    private final EventBus bus;
    final Settings settings;
    final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Set<EventSubscription>> byRun = new HashMap<>();
    private final RunEvent[] ring;
    private int ringStart;
    private int ringCount;
    /** Every committed event with a sequence in (floor, cursor] is in the ring; guarded by {@link #lock}. */
    private long floor;
    long cursor;
    private final Thread reader;
    volatile boolean closed;
    private long reads; // for the benchmark and tests: database reads the reader made
    private final List<Runnable> closeHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<List<RunEvent>>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Local commits handed over ahead of the cursor; guarded by {@link #lock}. */
    private final EarlyEvents early = new EarlyEvents(4_096);
    private final java.util.function.Consumer<RunEvent> handOff = this::handOff;

    public EventTail(Source source, EventBus bus, Settings settings) {
        this.source = source;
        this.bus = bus;
        this.settings = settings;
        this.ring = new RunEvent[settings.ringSize()];
        this.reader = Thread.ofPlatform().daemon().name("drover-event-tail").unstarted(this::follow);
    }

    /** Starts at the log's current head: older events are read from the database by whoever asks for them. */
    public EventTail start() {
        long head = source.head();
        lock.lock();
        try {
            floor = head;
            cursor = head;
        } finally {
            lock.unlock();
        }
        // commits after the head was read are handed over from here on (those before it come from the log)
        bus.onLocalCommit(handOff);
        reader.start();
        return this;
    }

    /** The newest sequence this node has read and handed out. */
    public long cursor() {
        lock.lock();
        try {
            return cursor;
        } finally {
            lock.unlock();
        }
    }

    /** How many reads of the log the reader has made (one per batch of events, whatever the number of watchers). */
    public long reads() {
        lock.lock();
        try {
            return reads;
        } finally {
            lock.unlock();
        }
    }

    private void follow() {
        while (!closed) {
            try {
                long seen = cursor();
                // a wake-up for a sequence we have read already (our own batch) is not a reason to read again
                boolean told = bus.awaitAfter(seen, settings.poll());
                if (closed) {
                    return;
                }
                if (told && cursor() >= bus.latest()) {
                    continue; // a local commit, handed over by its thread (handOff): nothing to read
                }
                catchUp();
                if (cursor() < bus.latest()) {
                    // told of a sequence the log does not show yet: do not spin on the database while it settles
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the database is away: watchers wait a little longer, nobody misses anything (the cursor stays)
                LOG.warn("event tail could not read the log; retrying: {}", e.toString());
                sleepQuietly(settings.poll().toMillis());
            }
        }
    }

    /**
     * Returns once this node has handed out every event up to {@code sequence}, reading the log on the caller's
     * thread if the reader has not got there yet. For a watcher that has just read state from the database (a run
     * seen finished) and must not act on it before the events leading there have reached it.
     */
    public void catchUpTo(long sequence) {
        if (cursor() < sequence) {
            catchUp();
        }
    }

    /**
     * Also hands every new event, once, to {@code listener} in batches (after the subscriptions, outside
     * the tail's lock): for node-wide waiters that care about kinds of events rather than runs, such as idle
     * workers' claims. It runs on the reading thread, so it must be quick, do no I/O and not throw.
     */
    public void onEvents(java.util.function.Consumer<List<RunEvent>> listener) {
        listeners.add(listener);
    }

    /**
     * Runs {@code hook} when the tail closes: for waiters of its own (the workers' claims) that must end at once
     * when the node stops instead of at the end of their wait, which would hold up the web server's stop.
     */
    public void onClose(Runnable hook) {
        closeHooks.add(hook);
    }

    /** Reads everything past the cursor and hands it out; the reader thread's job (and a lagging watcher's). */
    void catchUp() {
        while (!closed) {
            long from = cursor();
            List<RunEvent> batch = source.after(from, settings.readBatch());
            List<RunEvent> handed = new ArrayList<>(batch.size());
            lock.lock();
            try {
                reads++;
                // The batch is every committed event in (from, its last]. If the cursor moved meanwhile (a local
                // commit handed over, another catchUp), what is above it is still all of (cursor, last]: skip the rest.
                for (RunEvent e : batch) {
                    if (e.sequence() > cursor) {
                        deliver(e, handed);
                    }
                }
                early.deliverFollowing(this, handed);
            } finally {
                lock.unlock();
            }
            tell(handed);
            if (batch.size() < settings.readBatch()) {
                return;
            }
        }
    }

    /**
     * An event committed on this node, handed over by its committing thread ({@link EventBus#committed}): delivered
     * without a read of the log, but only once every smaller sequence has been (the cursor never jumps a gap; a
     * smaller one may be another thread's or node's, visible later). Ahead of the cursor it waits in
     * {@link EarlyEvents} until the gap is filled, by that thread or by the reader the same commit wakes.
     */
    void handOff(RunEvent e) {
        List<RunEvent> handed = new ArrayList<>(2);
        lock.lock();
        try {
            if (closed || e.sequence() <= cursor) {
                return; // read from the log already
            }
            if (e.sequence() != cursor + 1) {
                early.hold(e);
                return;
            }
            deliver(e, handed);
            early.deliverFollowing(this, handed);
        } finally {
            lock.unlock();
        }
        tell(handed);
    }

    /** Local commits waiting for a smaller sequence (tests). */
    int heldEarly() {
        lock.lock();
        try {
            return early.size();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the next event after the cursor, into the ring and its run's subscriptions. */
    void deliver(RunEvent e, List<RunEvent> handed) {
        remember(e);
        handed.add(e);
        Set<EventSubscription> subs = byRun.get(e.runId());
        if (subs != null) {
            for (EventSubscription s : subs) {
                s.offer(e);
            }
        }
        cursor = e.sequence();
    }

    /** Outside the lock: the node-wide listeners (claims) hear of newly delivered events. */
    private void tell(List<RunEvent> handed) {
        if (handed.isEmpty()) {
            return;
        }
        for (var listener : listeners) {
            try {
                listener.accept(handed);
            } catch (RuntimeException e) {
                LOG.warn("an event listener failed: {}", e.toString());
            }
        }
    }

    private void remember(RunEvent e) {
        if (ringCount == ring.length) {
            floor = ring[ringStart].sequence();
            ring[ringStart] = e;
            ringStart = (ringStart + 1) % ring.length;
        } else {
            ring[(ringStart + ringCount) % ring.length] = e;
            ringCount++;
        }
    }

    /**
     * Follows {@code runIds} from {@code since}: the caller takes what follows with {@link EventSubscription#next}
     * and closes it. Visibility is the caller's to check before: a subscription holds only the ids it was given.
     */
    public EventSubscription subscribe(Set<String> runIds, long since) {
        EventSubscription s = new EventSubscription(this, Set.copyOf(runIds), since);
        lock.lock();
        try {
            s.backlogUpTo = cursor;
            for (String id : s.runIds()) {
                byRun.computeIfAbsent(id, k -> new HashSet<>()).add(s);
            }
        } finally {
            lock.unlock();
        }
        return s;
    }

    void unsubscribe(EventSubscription s) {
        lock.lock();
        try {
            for (String id : s.runIds()) {
                Set<EventSubscription> subs = byRun.get(id);
                if (subs != null && subs.remove(s) && subs.isEmpty()) {
                    byRun.remove(id);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Events of the runs in (since, upTo] from the ring when it reaches back that far, else from the database. */
    List<RunEvent> backlog(Set<String> runIds, long since, long upTo, int limit) {
        lock.lock();
        try {
            if (since >= floor) {
                List<RunEvent> out = new ArrayList<>();
                for (int i = firstAfter(since); i < ringCount && out.size() < limit; i++) {
                    RunEvent e = ring[(ringStart + i) % ring.length];
                    if (e.sequence() > upTo) {
                        break;
                    }
                    if (runIds.contains(e.runId())) {
                        out.add(e);
                    }
                }
                return out;
            }
        } finally {
            lock.unlock();
        }
        return source.between(runIds, since, upTo, limit);
    }

    /** The ring index of the first event with a sequence above {@code since} (binary search: the ring is ordered). */
    private int firstAfter(long since) {
        int lo = 0;
        int hi = ringCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ring[(ringStart + mid) % ring.length].sequence() <= since) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Ends every subscription: the node is stopping and streams should end. */
    @Override
    public void close() {
        closed = true;
        bus.removeLocalCommit(handOff);
        List<EventSubscription> all = new ArrayList<>();
        lock.lock();
        try {
            byRun.values().forEach(all::addAll);
        } finally {
            lock.unlock();
        }
        all.forEach(EventSubscription::wake);
        closeHooks.forEach(Runnable::run);
        reader.interrupt();
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads events straight from the log's tables. */
    public static Source of(EventLog log) {
        return new Source() {
            @Override
            public List<RunEvent> after(long after, int limit) {
                return log.after(after, limit);
            }

            @Override
            public List<RunEvent> between(Set<String> runIds, long since, long upTo, int limit) {
                return log.between(List.copyOf(new LinkedHashSet<>(runIds)), since, upTo, limit);
            }

            @Override
            public long head() {
                return log.head();
            }
        };
    }
}
