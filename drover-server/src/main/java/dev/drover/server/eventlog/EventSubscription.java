package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One watcher's view of the tail: its runs, its position (the last sequence it was handed) and a bounded queue
 * the reader fills. Used by one thread at a time (the request serving the watcher).
 */
public final class EventSubscription implements AutoCloseable {
    private final EventTail tail;
    private final Set<String> runIds;
    private final ReentrantLock own = new ReentrantLock();
    private final Condition arrived = own.newCondition();
    private final ArrayDeque<RunEvent> queue = new ArrayDeque<>();
    private boolean overflowed;
    private long position;
    /**
     * Events up to here come from the backlog, events above from the queue; written under the tail's lock, read
     * without it (volatile) so that a woken stream does not queue behind the reader's fan-out.
     */
    volatile long backlogUpTo;
    private long rereads;

    EventSubscription(EventTail tail, Set<String> runIds, long since) {
        this.tail = tail;
        this.runIds = runIds;
        this.position = since;
    }

    /** Called by the reader under the tail's lock: queue the event, or drop the queue if it is full. */
    void offer(RunEvent e) {
        own.lock();
        try {
            if (overflowed) {
                return;
            }
            if (queue.size() >= tail.settings.queueSize()) {
                queue.clear(); // a slow consumer: it will re-read from its position instead
                overflowed = true;
            } else {
                queue.addLast(e);
            }
            arrived.signal();
        } finally {
            own.unlock();
        }
    }

    void wake() {
        own.lock();
        try {
            arrived.signalAll();
        } finally {
            own.unlock();
        }
    }

    /**
     * The next events of the watched runs after this subscription's position, oldest first, at most
     * {@code limit}; waits up to {@code timeout} when there are none yet. Empty when the wait ends with
     * nothing or the tail closes.
     */
    public List<RunEvent> next(int limit, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long upTo = backlogUpTo();
            if (position < upTo) {
                List<RunEvent> old = tail.backlog(runIds, position, upTo, limit);
                if (!old.isEmpty()) {
                    // fewer than asked: nothing else of these runs up to where the queue starts
                    position = old.size() < limit ? upTo : old.getLast().sequence();
                    return old;
                }
                position = upTo; // nothing more of these runs up to where the queue starts
            }
            own.lock();
            try {
                if (overflowed) {
                    own.unlock();
                    try {
                        restart();
                    } finally {
                        own.lock();
                    }
                    continue;
                }
                List<RunEvent> out = new ArrayList<>();
                while (!queue.isEmpty() && out.size() < limit) {
                    RunEvent e = queue.pollFirst();
                    if (e.sequence() > position) { // a client may ask from a sequence the tail has not reached
                        out.add(e);
                        position = e.sequence();
                    }
                }
                if (!out.isEmpty()) {
                    return out;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || tail.closed) {
                    return List.of();
                }
                arrived.awaitNanos(left);
                if (tail.closed) {
                    return List.of();
                }
            } finally {
                own.unlock();
            }
        }
    }

    /** After an overflow: empty the queue and take everything up to the tail's cursor as backlog again. */
    private void restart() {
        tail.lock.lock();
        try {
            own.lock();
            try {
                queue.clear();
                overflowed = false;
                backlogUpTo = tail.cursor;
                rereads++;
            } finally {
                own.unlock();
            }
        } finally {
            tail.lock.unlock();
        }
    }

    private long backlogUpTo() {
        return backlogUpTo;
    }

    /** The last sequence handed to the watcher (or the {@code since} it started from). */
    public long position() {
        return position;
    }

    /** How many events wait in this subscription's queue (tests: it never holds more than the queue's size). */
    int queued() {
        own.lock();
        try {
            return queue.size();
        } finally {
            own.unlock();
        }
    }

    /** How often this subscription fell behind and re-read from its position (tests, metrics). */
    public long rereads() {
        return rereads;
    }

    public Set<String> runIds() {
        return runIds;
    }

    @Override
    public void close() {
        tail.unsubscribe(this);
    }
}
