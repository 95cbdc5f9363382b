package dev.drover.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;

/**
 * Group commit: concurrent units of work that arrive while a transaction is being written are run together in the
 * next one, each inside its own savepoint, and committed once. A unit that fails is rolled back to its savepoint
 * and only its caller sees the error; the others commit (a unit alone in its transaction has no savepoint: its
 * failure rolls the transaction back). Every caller returns only after the transaction holding
 * its work has committed (or failed), so "201 Created" still means durable and visible.
 *
 * <p>Why: what costs is per transaction, not per statement. On SQLite every commit appends each page it dirtied to
 * the WAL (the runs table and its dozen indexes, the events table, the counter) and FTS5 writes a new segment of
 * the search index per transaction. On PostgreSQL every commit waits for its WAL flush while it holds the event
 * counter's row lock, so event-writing commits are serial, one flush each (docs/events.md): a batch pays one flush
 * for all its units.
 *
 * <p>No thread of its own and no timer: a caller queues its work and takes a leader's permit; whoever holds one
 * runs everything queued so far (its own work included, unless another leader already took it) in one transaction.
 * Work therefore waits at most for the transactions before it, never for a timeout. SQLite has one leader (one
 * writer). PostgreSQL has up to {@link #POSTGRES_LEADERS} ({@link #postgresLeaders}): a batch's units run one after
 * the other on its connection,
 * and their events are appended by one statement at the batch's end ({@link CommitHooks#defer}), so a batch holds
 * the counter only for that statement and its commit and the next batches fill while it flushes.
 *
 * <p>On PostgreSQL two batches can deadlock on rows their units lock in opposite orders (two environments' rows,
 * two parents' rows, an idempotency key's unique index); PostgreSQL then fails a statement of one of them after
 * its {@code deadlock_timeout}. That unit is rolled back to its savepoint as any failed unit, and queued again for a
 * later batch instead of failing its caller, up to {@link #ATTEMPTS} times.
 */
final class GroupCommit {
    /** Bounds a transaction's length, so a burst does not hold the writer (and its callers) for long. */
    static final int MAX_BATCH = 64;
    /** Batches written at once on PostgreSQL: enough to fill the next while one flushes, few connections. */
    static final int POSTGRES_LEADERS = 4;

    /**
     * Leaders on PostgreSQL for a pool of {@code poolSize} connections: at most half of those left beside the one
     * that listens, so that a burst of creates never holds every connection reads and workers need.
     */
    static int postgresLeaders(int poolSize) {
        return Math.clamp((poolSize - 1) / 2, 1, POSTGRES_LEADERS);
    }
    /** How often a unit is tried when the database fails it for a deadlock with another batch. */
    static final int ATTEMPTS = 3;

    private final Function<HandleCallback<Void, RuntimeException>, Void> transaction;
    private final Semaphore leaders;
    private final int leaderCount;
    private final Predicate<RuntimeException> retryable;
    private final ConcurrentLinkedQueue<Unit<?>> queued = new ConcurrentLinkedQueue<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** Writes what the units of a batch deferred to its end (the event log's batch append); null: nothing deferred. */
    private volatile BiConsumer<Handle, List<Object>> atBatchEnd;

    /**
     * {@code transaction} runs its callback in one write transaction and commits it; {@code leaders} batches may be
     * written at once; a unit failed with an error {@code retryable} accepts is tried again in a later batch.
     */
    GroupCommit(Function<HandleCallback<Void, RuntimeException>, Void> transaction, int leaders,
            Predicate<RuntimeException> retryable) {
        this.transaction = transaction;
        this.leaders = new Semaphore(leaders);
        this.leaderCount = leaders;
        this.retryable = retryable;
    }

    /** From now on, units may defer rows to the end of their batch, where {@code writer} writes them all at once. */
    void deferToBatchEnd(BiConsumer<Handle, List<Object>> writer) {
        this.atBatchEnd = writer;
    }

    <T> T write(HandleCallback<T, RuntimeException> work) {
        Unit<T> unit = new Unit<>(work);
        queued.add(unit);
        while (!unit.done) {
            if (unit.taken) {
                unit.finished.acquireUninterruptibly(); // its batch ended: done, or queued again after a deadlock
                continue;
            }
            leaders.acquireUninterruptibly();
            try {
                if (!unit.taken) {
                    runBatch();
                }
            } finally {
                leaders.release();
            }
        }
        return unit.result();
    }

    /** Under a leader's permit: one transaction with up to {@link #MAX_BATCH} queued units, oldest first. */
    private void runBatch() {
        List<Unit<?>> batch = new ArrayList<>();
        for (Unit<?> u; batch.size() < MAX_BATCH && (u = queued.poll()) != null; ) {
            u.taken = true;
            batch.add(u);
        }
        if (batch.isEmpty()) {
            return;
        }
        transactions.incrementAndGet();
        BiConsumer<Handle, List<Object>> writer = atBatchEnd;
        try {
            transaction.apply(h -> {
                List<Object> deferred = writer == null ? null : new ArrayList<>();
                if (batch.size() == 1) {
                    // alone, a unit needs no savepoint (two round trips on PostgreSQL): if it fails, its exception
                    // rolls the whole transaction back, and the catch below hands it to its caller
                    batch.getFirst().runAlone(h, deferred);
                } else {
                    for (Unit<?> u : batch) {
                        u.runInSavepoint(h, deferred);
                    }
                }
                if (deferred != null && !deferred.isEmpty()) {
                    writer.accept(h, deferred); // the last statement before the commit
                }
                return null;
            });
        } catch (RuntimeException e) {
            // the commit itself failed (or the transaction could not begin, or the unit of a batch of one failed):
            // nothing of the batch was written
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
                if (u.error != null && u.attempts < ATTEMPTS && retryable.test(u.error)) {
                    retries.incrementAndGet();
                    u.error = null;
                    u.taken = false;
                    queued.add(u);
                } else {
                    u.done = true;
                }
                u.finished.release();
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

    /** Units queued again after a deadlock; for tests. */
    long retries() {
        return retries.get();
    }

    /** How many batches may be written at once. */
    int leaders() {
        return leaderCount;
    }

    private static final class Unit<T> {
        private final HandleCallback<T, RuntimeException> work;
        private final Semaphore finished = new Semaphore(0);
        private T value;
        private RuntimeException error;
        private int attempts;
        volatile boolean taken;
        volatile boolean done;

        Unit(HandleCallback<T, RuntimeException> work) {
            this.work = work;
        }

        void runInSavepoint(Handle h, List<Object> deferred) {
            attempts++;
            h.execute("SAVEPOINT unit");
            CommitHooks.begin(h, deferred);
            try {
                value = work.withHandle(h);
                h.execute("RELEASE unit");
                CommitHooks.keep();
            } catch (RuntimeException e) {
                // undo this unit's statements only; the transaction and the other units go on. Its commit hooks
                // and deferred rows go too: they would hand watchers events that were rolled back (whose sequences
                // the next unit takes)
                CommitHooks.drop();
                h.execute("ROLLBACK TO unit");
                h.execute("RELEASE unit");
                value = null;
                error = e;
            } finally {
                CommitHooks.drop(); // an Error: the whole transaction is rolled back, nothing of the unit runs
            }
        }

        /** The only unit of its transaction: what it throws rolls the transaction back. */
        void runAlone(Handle h, List<Object> deferred) {
            attempts++;
            CommitHooks.begin(h, deferred);
            try {
                value = work.withHandle(h);
                CommitHooks.keep();
            } finally {
                CommitHooks.drop(); // failed: its hooks never run, its rows are never written (kept: a no-op)
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
