package dev.drover.server.store;

import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Work to do once a transaction has committed, that is dropped when the part of the transaction that asked for it
 * is undone. JDBI's {@link Handle#afterCommit} runs every hook registered on the handle when the transaction
 * commits; in a {@link GroupCommit} batch a unit of work rolled back to its savepoint still commits with the others,
 * so its hooks would run for statements that were undone. That was harmless while a hook only said "look again";
 * a hook that hands a committed event to watchers must not run for an event that does not exist (whose sequence the
 * next unit of the same batch takes).
 */
public final class CommitHooks {
    /**
     * The unit of a group commit running on this thread, the hooks it registered so far, the rows it deferred to the
     * end of its batch, and the batch's list they join when the unit is kept (null: this database defers nothing).
     */
    private record Unit(Handle handle, List<Runnable> hooks, List<Object> deferred, List<Object> batchDeferred) {}

    private static final ThreadLocal<Unit> CURRENT = new ThreadLocal<>();

    private CommitHooks() {}

    /** Runs {@code hook} after {@code h}'s transaction commits, unless the unit of work that registers it is undone. */
    public static void afterCommit(Handle h, Runnable hook) {
        Unit unit = CURRENT.get();
        if (unit != null && unit.handle() == h) {
            unit.hooks().add(hook);
        } else {
            h.afterCommit(hook);
        }
    }

    /**
     * Leaves {@code row} to be written at the end of the group-commit batch that runs this unit of work on
     * {@code h}, with those of the batch's other units (dropped with the unit if it is undone). False when
     * {@code h} runs no such unit (not grouped, or a database whose batches defer nothing): the caller writes it now.
     */
    public static boolean defer(Handle h, Object row) {
        if (!defersOn(h)) {
            return false;
        }
        CURRENT.get().deferred().add(row);
        return true;
    }

    /** Whether {@code h} runs a group-commit unit whose batch writes deferred rows at its end. */
    public static boolean defersOn(Handle h) {
        Unit unit = CURRENT.get();
        return unit != null && unit.handle() == h && unit.batchDeferred() != null;
    }

    /**
     * The rows deferred so far in the batch running on {@code h}: its kept units' and the current unit's, in the order
     * they will be written. Empty when {@code h} runs no such unit.
     */
    public static List<Object> deferredSoFar(Handle h) {
        if (!defersOn(h)) {
            return List.of();
        }
        Unit unit = CURRENT.get();
        List<Object> all = new ArrayList<>(unit.batchDeferred());
        all.addAll(unit.deferred());
        return all;
    }

    /**
     * Starts a unit on {@code h}: hooks and deferred rows registered until {@link #keep} or {@link #drop} belong to
     * it; kept rows join {@code batchDeferred} (null: nothing is deferred).
     */
    static void begin(Handle h, List<Object> batchDeferred) {
        CURRENT.set(new Unit(h, new ArrayList<>(), new ArrayList<>(), batchDeferred));
    }

    /** The unit's statements stay: its hooks run when the transaction commits, its deferred rows are written. */
    static void keep() {
        Unit unit = CURRENT.get();
        CURRENT.remove();
        if (unit != null) {
            unit.hooks().forEach(unit.handle()::afterCommit);
            if (unit.batchDeferred() != null) {
                unit.batchDeferred().addAll(unit.deferred());
            }
        }
    }

    /** The unit was rolled back to its savepoint: its hooks never run, its deferred rows are never written. */
    static void drop() {
        CURRENT.remove();
    }
}
