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
 * {@link EventBus#published} after a local commit or a NOTIFY, and on a short poll besides), keeps the newest
 * events in a bounded ring and hands each to the subscriptions of its run, in memory. SSE streams and long-polls
 * are served from here: the database is read once per batch of events for the whole node, not once per watcher.
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
                bus.awaitAfter(seen, settings.poll());
                if (closed) {
                    return;
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
                if (cursor != from) {
                    continue; // another catchUp (a test's) got here first: read again from the new cursor
                }
                for (RunEvent e : batch) {
                    if (e.sequence() <= cursor) {
                        continue;
                    }
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
            } finally {
                lock.unlock();
            }
            if (!handed.isEmpty()) {
                for (var listener : listeners) {
                    try {
                        listener.accept(handed);
                    } catch (RuntimeException e) {
                        LOG.warn("an event listener failed: {}", e.toString());
                    }
                }
            }
            if (batch.size() < settings.readBatch()) {
                return;
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
