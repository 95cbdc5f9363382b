package dev.drover.server.events;

import dev.drover.server.auth.Principal;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The owners of runs this node has recently shown events of, so that a long-poll asked again after every event
 * checks who may see the runs in memory instead of reading each run again. Exact, not a guess: a run's owner is set
 * when it is created and never changes, and runs are not deleted. Only the owner rule is answered here (the caller
 * is the owner or in the owner's team, and has no lane); everything else — a run-scoped agent's lane, a worker's
 * lease, an id never seen — goes to the database as before. Bounded: emptied when full.
 */
final class RunOwners {
    private final int capacity;
    private final ConcurrentHashMap<String, String> owners = new ConcurrentHashMap<>();

    RunOwners(int capacity) {
        this.capacity = capacity;
    }

    /** True when the remembered owners show that {@code caller} sees every run of {@code runIds}. */
    boolean seesAll(Principal caller, List<String> runIds) {
        if (caller.runScope() != null) {
            return false; // an agent sees only its lane, which the owner alone does not decide
        }
        for (String id : runIds) {
            String owner = owners.get(id);
            if (owner == null || !caller.canSee(owner)) {
                return false;
            }
        }
        return true;
    }

    void remember(String runId, String ownerId) {
        if (owners.size() >= capacity) {
            owners.clear(); // cheaper than an LRU and just as correct: a forgotten owner is read again
        }
        owners.put(runId, ownerId);
    }
}
