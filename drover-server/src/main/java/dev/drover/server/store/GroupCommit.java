package dev.drover.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;

/**
 * Group commit for SQLite's single writer: concurrent units of work that arrive while a transaction is being
 * written are run together in the next one, each inside its own savepoint, and committed once. A unit that fails
 * is rolled back to its savepoint and only its caller sees the error; the others commit. Every caller returns
 * only after the transaction holding its work has committed (or failed), so "201 Created" still means durable
 * and visible.
 *
 * <p>Why: with one writer connection, writes are serial anyway; what costs is per transaction, not per
 * statement — every commit appends each page it dirtied to the WAL (the runs table and its dozen indexes, the
 * events table, the counter) and FTS5 writes a new segment of the search index per transaction. A batch pays
 * for those once.
 *
 * <p>No thread of its own and no timer: a caller queues its work and takes the leader's lock; whoever holds it
 * runs everything queued so far (its own work included, unless a previous leader already did) in one
 * transaction. Work therefore waits at most for the transaction before it, never for a timeout.
 */
final class GroupCommit {
    /** Bounds a transaction's length, so a burst does not hold the writer (and its callers) for long. */
    static final int MAX_BATCH = 64;

    private final Function<HandleCallback<Void, RuntimeException>, Void> transaction;
    private final ConcurrentLinkedQueue<Unit<?>> queued = new ConcurrentLinkedQueue<>();
    private final ReentrantLock leader = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicLong transactions = new java.util.concurrent.atomic.AtomicLong();

    /** {@code transaction} runs its callback in one write transaction and commits it. */
    GroupCommit(Function<HandleCallback<Void, RuntimeException>, Void> transaction) {
        this.transaction = transaction;
    }

    <T> T write(HandleCallback<T, RuntimeException> work) {
        Unit<T> unit = new Unit<>(work);
        queued.add(unit);
        while (!unit.done) {
            leader.lock();
            try {
                if (!unit.done) {
                    runBatch();
                }
            } finally {
                leader.unlock();
            }
        }
        return unit.result();
    }

    /** Under the leader's lock: one transaction with up to {@link #MAX_BATCH} queued units, oldest first. */
    private void runBatch() {
        List<Unit<?>> batch = new ArrayList<>();
        for (Unit<?> u; batch.size() < MAX_BATCH && (u = queued.poll()) != null; ) {
            batch.add(u);
        }
        if (batch.isEmpty()) {
            return;
        }
        transactions.incrementAndGet();
        try {
            transaction.apply(h -> {
                for (Unit<?> u : batch) {
                    u.runInSavepoint(h);
                }
                return null;
            });
        } catch (RuntimeException e) {
            // the commit itself failed (or the transaction could not begin): nothing of the batch was written
            for (Unit<?> u : batch) {
                u.failed(e);
            }
        } catch (Error e) {
            for (Unit<?> u : batch) {
                u.failed(new IllegalStateException("the write transaction failed", e));
            }
            throw e;
        } finally {
            // always: a unit left undone would have its caller wait for a batch that will never include it
            for (Unit<?> u : batch) {
                u.done = true;
            }
        }
    }

    /** Units queued and not yet taken into a transaction; for tests. */
    int waiting() {
        return queued.size();
    }

    /** Transactions run so far; for tests. */
    long transactions() {
        return transactions.get();
    }

    private static final class Unit<T> {
        private final HandleCallback<T, RuntimeException> work;
        private T value;
        private RuntimeException error;
        volatile boolean done;

        Unit(HandleCallback<T, RuntimeException> work) {
            this.work = work;
        }

        void runInSavepoint(Handle h) {
            h.execute("SAVEPOINT unit");
            CommitHooks.begin(h);
            try {
                value = work.withHandle(h);
                h.execute("RELEASE unit");
                CommitHooks.keep();
            } catch (RuntimeException e) {
                // undo this unit's statements only; the transaction and the other units go on. Its commit hooks
                // go too: they would hand watchers events that were rolled back (whose sequences the next unit takes)
                CommitHooks.drop();
                h.execute("ROLLBACK TO unit");
                h.execute("RELEASE unit");
                error = e;
            } finally {
                CommitHooks.drop(); // an Error: the whole transaction is rolled back, nothing of the unit runs
            }
        }

        void failed(RuntimeException e) {
            value = null;
            error = e;
        }

        T result() {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }
}
