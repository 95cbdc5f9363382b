package dev.drover.server.runs;

import static dev.drover.api.RunState.BLOCKED;
import static dev.drover.api.RunState.CANCELLED;
import static dev.drover.api.RunState.CLAIMED;
import static dev.drover.api.RunState.ERROR;
import static dev.drover.api.RunState.FAILED;
import static dev.drover.api.RunState.INPROGRESS;
import static dev.drover.api.RunState.PENDING;
import static dev.drover.api.RunState.QUEUED;
import static dev.drover.api.RunState.SUCCEEDED;

import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one run state machine. Every path that changes a run's state (the API, workers, reported events, lease
 * expiry) asks this table whether the move is legal and which event records it; the store then performs it
 * as a compare-and-set that appends that event in the same transaction.
 *
 * <pre>
 * QUEUED --admit--> PENDING --lease--> CLAIMED --start--> INPROGRESS --> SUCCEEDED | FAILED | BLOCKED | ERROR | CANCELLED
 *   |--cancel--> CANCELLED     |--> ERROR | FAILED    |--lease lost--> QUEUED
 * SUCCEEDED | FAILED | BLOCKED | ERROR | CANCELLED --follow-up--> QUEUED (run_continued: a new turn, a new execution)
 * </pre>
 * Runs executed outside Drover (execution location LOCAL) are driven by their client through reported events
 * and may go from QUEUED straight to INPROGRESS; a follow-up cannot restart them (nobody here executes them).
 */
public final class RunTransitions {
    /**
     * The states in which a run is held: a worker (or a LOCAL run's client) has it, under a lease. Its run token
     * works, it counts against its team's concurrency and its worker's slots, and its lease can expire.
     */
    public static final Set<RunState> HELD = Collections.unmodifiableSet(EnumSet.of(PENDING, CLAIMED, INPROGRESS));

    /**
     * {@link #HELD} as an SQL list, for {@code state IN <held>} with {@code .define("held", HELD_SQL)}: the one
     * spelling of the held states in the server's SQL.
     */
    public static final String HELD_SQL = HELD.stream().map(st -> "'" + st.name() + "'")
            .collect(Collectors.joining(", ", "(", ")"));

    /**
     * The states of a run that has not ended: waiting for a worker, or held. What a team's concurrency limit counts
     * and what the list's {@code running} task status means.
     */
    public static final Set<RunState> ACTIVE = Collections.unmodifiableSet(EnumSet.of(QUEUED, PENDING, CLAIMED,
            INPROGRESS));

    /** {@link #ACTIVE} as an SQL list, for {@code state IN <active>}: its one spelling in the server's SQL. */
    public static final String ACTIVE_SQL = ACTIVE.stream().map(st -> "'" + st.name() + "'")
            .collect(Collectors.joining(", ", "(", ")"));

    private static final Map<RunState, Set<RunState>> REMOTE = new EnumMap<>(RunState.class);
    private static final Map<RunState, Set<RunState>> LOCAL = new EnumMap<>(RunState.class);

    static {
        REMOTE.put(QUEUED, EnumSet.of(PENDING, CANCELLED, FAILED, ERROR));
        REMOTE.put(PENDING, EnumSet.of(CLAIMED, QUEUED, FAILED, ERROR));
        REMOTE.put(CLAIMED, EnumSet.of(INPROGRESS, QUEUED, FAILED, ERROR, CANCELLED));
        REMOTE.put(INPROGRESS, EnumSet.of(SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED));
        // a follow-up continues an ended run: ERROR too (the conversation outlives a lost worker, and the person
        // asking for another turn is the one deciding that side effects may be repeated) and CANCELLED (a cancel
        // stops a turn, not the conversation)
        for (RunState ended : EnumSet.of(SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED)) {
            REMOTE.put(ended, EnumSet.of(QUEUED));
        }
        LOCAL.put(QUEUED, EnumSet.of(INPROGRESS, CANCELLED, FAILED, ERROR));
        LOCAL.put(INPROGRESS, EnumSet.of(SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED));
    }

    private RunTransitions() {}

    public static boolean allowed(RunExecutionLocation location, RunState from, RunState to) {
        Map<RunState, Set<RunState>> table = location == RunExecutionLocation.LOCAL ? LOCAL : REMOTE;
        return table.getOrDefault(from, Set.of()).contains(to);
    }

    /** The event type that records entering {@code to}. */
    public static String eventFor(RunState from, RunState to) {
        return switch (to) {
            case QUEUED -> from == null ? "run_queued" : from.isTerminal() ? "run_continued" : "run_requeued";
            case PENDING -> "run_pending";
            case CLAIMED -> "run_claimed";
            case INPROGRESS -> "run_in_progress";
            case SUCCEEDED -> "run_succeeded";
            case FAILED -> "run_failed";
            case BLOCKED -> "run_blocked";
            case ERROR -> "run_errored";
            case CANCELLED -> "run_cancelled";
        };
    }

    /** The state a run is in right after an event of this type ({@link #eventFor} read backwards). */
    public static Optional<RunState> stateAfter(String eventType) {
        return Optional.ofNullable(switch (eventType) {
            case "run_queued", "run_requeued", "run_continued" -> QUEUED;
            case "run_pending" -> PENDING;
            case "run_claimed" -> CLAIMED;
            case "run_in_progress" -> INPROGRESS;
            case "run_succeeded" -> SUCCEEDED;
            case "run_failed" -> FAILED;
            case "run_blocked" -> BLOCKED;
            case "run_errored" -> ERROR;
            case "run_cancelled" -> CANCELLED;
            default -> null;
        });
    }

    /** The state a client-reported lifecycle event ({@code POST /agent/events/{runId}}) moves a run to. */
    public static Optional<RunState> targetOfReported(String eventType) {
        return REPORTABLE.contains(eventType) ? stateAfter(eventType) : Optional.empty();
    }

    public static final Set<String> REPORTABLE = Set.of(
            "run_in_progress", "run_succeeded", "run_failed", "run_errored", "run_blocked", "run_cancelled");
}
