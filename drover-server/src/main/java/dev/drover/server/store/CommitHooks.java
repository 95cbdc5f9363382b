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
    /** The unit of a group commit running on this thread, and the hooks it registered so far. */
    private record Unit(Handle handle, List<Runnable> hooks) {}

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

    /** Starts a unit on {@code h}: hooks registered until {@link #keep} or {@link #drop} belong to it. */
    static void begin(Handle h) {
        CURRENT.set(new Unit(h, new ArrayList<>()));
    }

    /** The unit's statements stay: its hooks run when the transaction commits. */
    static void keep() {
        Unit unit = CURRENT.get();
        CURRENT.remove();
        if (unit != null) {
            unit.hooks().forEach(unit.handle()::afterCommit);
        }
    }

    /** The unit was rolled back to its savepoint: its hooks never run. */
    static void drop() {
        CURRENT.remove();
    }
}
