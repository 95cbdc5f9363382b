package dev.drover.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;

/**
 * Group commit: concurrent units of work that arrive while a transaction is being written are run together in the
 * next one and committed once. A unit that fails leaves nothing and only its caller sees the error; the others
 * commit. Every caller returns only after the transaction holding its work has committed (or failed), so
 * "201 Created" still means durable and visible.
 *
 * <p>Savepoints only when a unit fails. A batch first runs its units one after the other with no savepoint: a
 * savepoint and its release are two more statements per unit, and on PostgreSQL a subtransaction that writes takes an
 * id of its own (pgbench, 16 one-row updates per transaction: a third fewer transactions per second with a savepoint
 * around each). If a unit throws, the whole transaction is rolled back (nothing of the batch was written) and the
 * batch runs again at once with each unit in its own savepoint, where a unit's failure undoes its statements only.
 * The batch after one that needed its savepoints starts with them too, and so on until a batch has no failing unit:
 * a caller whose every request fails (a client that keeps reporting a finished run) costs the others at most one
 * extra pass per clean batch before it, never a second pass for each of its failures.
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
 *
 * <p>A unit may therefore run more than once, its earlier runs rolled back: it must not act outside the transaction
 * (its {@link CommitHooks} go with the statements they belong to: JDBI drops a handle's commit callbacks when its
 * transaction is rolled back).
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

    private final Transactions transaction;
    private final Semaphore leaders;
    private final int leaderCount;
    private final Predicate<RuntimeException> retryable;
    private final ConcurrentLinkedQueue<Unit<?>> queued = new ConcurrentLinkedQueue<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong guardedPasses = new AtomicLong();
    /** The last batch had a failing unit: the next one runs its units in savepoints from the start. */
    private volatile boolean guarded;
    /** Writes what the units of a batch deferred to its end (the event log's batch append); null: nothing deferred. */
    private volatile BiConsumer<Handle, List<Object>> atBatchEnd;

    /**
     * {@code transaction} runs its callback in one write transaction and commits it; {@code leaders} batches may be
     * written at once; a unit failed with an error {@code retryable} accepts is tried again in a later batch.
     */
    GroupCommit(Transactions transaction, int leaders, Predicate<RuntimeException> retryable) {
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
        try {
            if (batch.size() == 1) {
                // alone, a unit needs no savepoint: if it fails, its exception rolls the whole transaction back, and
                // the catch below hands it to its caller
                inTransaction((h, deferred) -> {
                    batch.getFirst().runAlone(h, deferred);
                    return null;
                });
            } else if (guarded || !inTransactionUnlessAUnitFails(batch)) {
                guardedPasses.incrementAndGet();
                guarded = inTransaction((h, deferred) -> {
                    boolean anyFailed = false;
                    for (Unit<?> u : batch) {
                        anyFailed |= !u.runInSavepoint(h, deferred);
                    }
                    return anyFailed;
                });
            }
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

    /**
     * The batch's units one after the other in one transaction, no savepoints. False when one of them threw: the
     * transaction was rolled back, nothing of the batch was written, and no unit has an answer yet.
     */
    private boolean inTransactionUnlessAUnitFails(List<Unit<?>> batch) {
        try {
            inTransaction((h, deferred) -> {
                for (Unit<?> u : batch) {
                    u.runUnguarded(h, deferred);
                }
                return null;
            });
            return true;
        } catch (UnitFailed e) {
            return false;
        }
    }

    /**
     * {@code units} in one write transaction with a fresh list for the rows they defer, written by the batch-end
     * writer as the last statement before the commit.
     */
    private <T> T inTransaction(BiFunction<Handle, List<Object>, T> units) {
        transactions.incrementAndGet();
        BiConsumer<Handle, List<Object>> writer = atBatchEnd;
        return transaction.write(h -> {
            List<Object> deferred = writer == null ? null : new ArrayList<>();
            T value = units.apply(h, deferred);
            if (deferred != null && !deferred.isEmpty()) {
                writer.accept(h, deferred);
            }
            return value;
        });
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

    /** Batches run with a savepoint around each unit (after a failing unit, or the batch after one); for tests. */
    long guardedPasses() {
        return guardedPasses.get();
    }

    /** How many batches may be written at once. */
    int leaders() {
        return leaderCount;
    }

    /** Runs its callback in one write transaction and commits it ({@link Database#write}). */
    interface Transactions {
        <T> T write(HandleCallback<T, RuntimeException> work);
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

        /** False when it failed: its statements, hooks and deferred rows are undone, the transaction goes on. */
        boolean runInSavepoint(Handle h, List<Object> deferred) {
            attempts++;
            h.execute("SAVEPOINT unit");
            CommitHooks.begin(h, deferred);
            try {
                value = work.withHandle(h);
                h.execute("RELEASE unit");
                CommitHooks.keep();
                return true;
            } catch (RuntimeException e) {
                // undo this unit's statements only; the transaction and the other units go on. Its commit hooks
                // and deferred rows go too: they would hand watchers events that were rolled back (whose sequences
                // the next unit takes)
                CommitHooks.drop();
                h.execute("ROLLBACK TO unit");
                h.execute("RELEASE unit");
                value = null;
                error = e;
                return false;
            } finally {
                CommitHooks.drop(); // an Error: the whole transaction is rolled back, nothing of the unit runs
            }
        }

        /**
         * One of a batch with no savepoints: if it throws, the whole batch is rolled back and run again in savepoints,
         * so its error is not its answer yet (nor is it an attempt: it may have failed for an earlier unit's sake).
         */
        void runUnguarded(Handle h, List<Object> deferred) {
            CommitHooks.begin(h, deferred);
            try {
                value = work.withHandle(h);
                CommitHooks.keep();
            } catch (RuntimeException e) {
                throw new UnitFailed(e);
            } finally {
                CommitHooks.drop();
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

    /** A unit of a batch without savepoints threw: the batch is rolled back and run again in savepoints. */
    private static final class UnitFailed extends RuntimeException {
        UnitFailed(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
