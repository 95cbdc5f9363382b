package dev.drover.server.workers;

import dev.drover.api.RunEvent;
import dev.drover.api.RunState;
import dev.drover.server.runs.RunTransitions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Wakes idle claimers (workers' long-poll claims) from the node's event tail, one waiter per pool for each event
 * that can make a run claimable — not every waiter on every event. Before, every commit woke every claimer and each
 * read the database to find out whether there was work: with W idle workers, W reads per event of any kind
 * (transcripts included). Now an event wakes at most one claimer of each pool that has claimers waiting, so the
 * database sees one probe per pool per such event whatever the number of idle workers.
 *
 * <p>Which events: a run entering QUEUED (created, requeued after a lost lease, continued by a follow-up), and a
 * held run ending (it frees a slot of its team's concurrency, so a waiting run of that team may become claimable).
 * The event does not say which pool its run is in, and looking that up would put a read on the tail's thread: one
 * waiter of every waiting pool is woken instead; a waiter of another pool costs one indexed probe and waits again.
 *
 * <p>No wake-up is lost: a claimer counts itself as waiting before its first attempt, so an event committed
 * during an attempt leaves a permit its next wait takes at once. Permits are capped at the number of waiters
 * (a permit beyond that would only cost a later claimer an extra probe).
 */
final class ClaimWakeups implements Consumer<List<RunEvent>> {
    /**
     * Whether a QUEUED run may be claimable after an event of this type where it was not before: a run entered
     * QUEUED, or a run ended (its team has a slot again).
     */
    static boolean claimableAfter(String eventType) {
        return RunTransitions.stateAfter(eventType).map(s -> s == RunState.QUEUED || s.isTerminal()).orElse(false);
    }

    private static final class Waiters {
        final Semaphore wake = new Semaphore(0);
        final AtomicInteger waiting = new AtomicInteger();
    }

    private final Map<String, Waiters> pools = new ConcurrentHashMap<>();

    /**
     * Called by the tail with each batch of newly delivered events: on its reader thread, or on the committing thread
     * of a local commit (cheap, no I/O, and safe from several threads at once).
     */
    @Override
    public void accept(List<RunEvent> batch) {
        int wakes = 0;
        for (RunEvent e : batch) {
            if (claimableAfter(e.eventType())) {
                wakes++;
            }
        }
        if (wakes == 0) {
            return;
        }
        for (Waiters w : pools.values()) {
            int room = w.waiting.get() - w.wake.availablePermits();
            if (room > 0) {
                w.wake.release(Math.min(room, wakes));
            }
        }
    }

    /** Wakes every waiting claimer: the node is stopping, and their claims answer now. */
    void wakeAll() {
        for (Waiters w : pools.values()) {
            w.wake.release(Math.max(1, w.waiting.get()));
        }
    }

    /** A claimer of {@code pool}: open it before the first claim attempt, close it when the claim answers. */
    Waiter waiter(String pool) {
        Waiters w = pools.computeIfAbsent(pool, p -> new Waiters());
        w.waiting.incrementAndGet();
        return new Waiter(w);
    }

    /** How many claimers of {@code pool} wait on this node (tests). */
    int waiting(String pool) {
        Waiters w = pools.get(pool);
        return w == null ? 0 : w.waiting.get();
    }

    static final class Waiter implements AutoCloseable {
        private final Waiters waiters;

        private Waiter(Waiters waiters) {
            this.waiters = waiters;
        }

        /** True when woken for an event (try claiming again), false when {@code timeout} passed first. */
        boolean await(Duration timeout) throws InterruptedException {
            return waiters.wake.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        }

        @Override
        public void close() {
            waiters.waiting.decrementAndGet();
        }
    }
}
