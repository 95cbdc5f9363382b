package dev.drover.server.eventlog;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes long-pollers and SSE streams when events commit. Local commits call {@link #published} after commit;
 * on PostgreSQL the LISTEN thread calls it for every node's commits. Waiters re-read the log after waking, so a
 * spurious or coalesced wake-up is harmless; the bus carries no data, only "look again".
 */
public final class EventBus {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile long latest;
    private volatile boolean closed;

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
     * one already was. Virtual threads park cheaply here.
     */
    public void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (latest <= seen && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }
}
