package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Says "look again" when events commit. Local commits call {@link #committed} after commit, which first hands the
 * event itself to the node's {@link EventTail} (it needs no read of the log for it) and then announces it; on
 * PostgreSQL the LISTEN thread calls {@link #published} for every node's commits. Waiters re-read what they need
 * after waking, so a spurious or coalesced wake-up is harmless.
 */
public final class EventBus {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile long latest;
    private volatile boolean closed;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventBus.class);
    private final List<Consumer<RunEvent>> localCommits = new CopyOnWriteArrayList<>();

    /**
     * An event this node has just committed (called after the commit, on the committing thread): first handed to
     * the node's tail, which knows it without reading the log, then announced like any other.
     */
    public void committed(RunEvent event) {
        for (Consumer<RunEvent> taker : localCommits) {
            try {
                taker.accept(event);
            } catch (RuntimeException e) {
                // the commit stands and its caller must hear so; the tail reads the event from the log instead
                LOG.warn("handing event {} over failed; it is read from the log: {}", event.sequence(), e.toString());
            }
        }
        published(event.sequence());
    }

    /** {@code taker} receives every event committed on this node, after its commit (the node's {@link EventTail}). */
    public void onLocalCommit(Consumer<RunEvent> taker) {
        localCommits.add(taker);
    }

    public void removeLocalCommit(Consumer<RunEvent> taker) {
        localCommits.remove(taker);
    }

    public void published(long sequence) {
        lock.lock();
        try {
            if (sequence > latest) {
                latest = sequence;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter for good: the node is stopping and streams should end. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    public long latest() {
        return latest;
    }

    /**
     * Waits until an event newer than {@code seen} is published or {@code timeout} passes. Returns at once if
     * one already was. Virtual threads park cheaply here. True when told of a newer event (or closed), false when
     * the time ran out.
     */
    public boolean awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (latest <= seen && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
