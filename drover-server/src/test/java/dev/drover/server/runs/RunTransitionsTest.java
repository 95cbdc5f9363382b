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
import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The run state machine on its own, checked against every pair of states: the table below is written out from
 * the diagram in {@link RunTransitions} (and docs/api.md), so a move added or dropped there shows up here.
 */
class RunTransitionsTest {
    private static final Set<RunState> ENDED = EnumSet.of(SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED);

    private static final Map<RunState, Set<RunState>> REMOTE = Map.of(
            QUEUED, EnumSet.of(PENDING, CANCELLED, FAILED, ERROR),
            PENDING, EnumSet.of(CLAIMED, QUEUED, FAILED, ERROR),
            CLAIMED, EnumSet.of(INPROGRESS, QUEUED, FAILED, ERROR, CANCELLED),
            INPROGRESS, EnumSet.of(SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED),
            SUCCEEDED, EnumSet.of(QUEUED),
            FAILED, EnumSet.of(QUEUED),
            BLOCKED, EnumSet.of(QUEUED),
            ERROR, EnumSet.of(QUEUED),
            CANCELLED, EnumSet.of(QUEUED));

    private static final Map<RunState, Set<RunState>> LOCAL = Map.of(
            QUEUED, EnumSet.of(INPROGRESS, CANCELLED, FAILED, ERROR),
            INPROGRESS, EnumSet.of(SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED));

    /** Every (from, to) pair the table allows for {@code location}, as "FROM->TO". */
    private static List<String> allowedMoves(RunExecutionLocation location) {
        List<String> moves = new ArrayList<>();
        for (RunState from : RunState.values()) {
            for (RunState to : RunState.values()) {
                if (RunTransitions.allowed(location, from, to)) {
                    moves.add(from + "->" + to);
                }
            }
        }
        return moves;
    }

    private static List<String> expected(Map<RunState, Set<RunState>> table) {
        List<String> moves = new ArrayList<>();
        for (RunState from : RunState.values()) {
            for (RunState to : RunState.values()) {
                if (table.getOrDefault(from, Set.of()).contains(to)) {
                    moves.add(from + "->" + to);
                }
            }
        }
        return moves;
    }

    @Test
    void aRunExecutedByDroverMakesExactlyTheMovesOfTheDiagramAndNoOther() {
        assertThat(allowedMoves(RunExecutionLocation.REMOTE)).containsExactlyElementsOf(expected(REMOTE));
    }

    @Test
    void aLocalRunMakesExactlyTheMovesItsClientReportsAndNoOther() {
        assertThat(allowedMoves(RunExecutionLocation.LOCAL)).containsExactlyElementsOf(expected(LOCAL));
    }

    @Test
    void aRunWithNoRecordedLocationFollowsTheRemoteTable() {
        for (RunState from : RunState.values()) {
            for (RunState to : RunState.values()) {
                assertThat(RunTransitions.allowed(null, from, to)).as(from + "->" + to)
                        .isEqualTo(RunTransitions.allowed(RunExecutionLocation.REMOTE, from, to));
            }
        }
    }

    @Test
    void noStateMovesToItself() {
        for (RunExecutionLocation location : RunExecutionLocation.values()) {
            for (RunState s : RunState.values()) {
                assertThat(RunTransitions.allowed(location, s, s)).as(location + " " + s).isFalse();
            }
        }
    }

    @Test
    void aLocalRunIsNeverLeasedClaimedOrContinued() {
        for (RunState from : RunState.values()) {
            assertThat(RunTransitions.allowed(RunExecutionLocation.LOCAL, from, PENDING)).as(from + "->PENDING").isFalse();
            assertThat(RunTransitions.allowed(RunExecutionLocation.LOCAL, from, CLAIMED)).as(from + "->CLAIMED").isFalse();
        }
        for (RunState ended : ENDED) {
            assertThat(RunTransitions.allowed(RunExecutionLocation.LOCAL, ended, QUEUED)).as(ended + "->QUEUED").isFalse();
        }
    }

    @Test
    void enteringQueuedIsRecordedAsQueuedRequeuedOrContinuedByWhereTheRunCameFrom() {
        assertThat(RunTransitions.eventFor(null, QUEUED)).isEqualTo("run_queued");
        assertThat(RunTransitions.eventFor(PENDING, QUEUED)).isEqualTo("run_requeued");
        assertThat(RunTransitions.eventFor(CLAIMED, QUEUED)).isEqualTo("run_requeued");
        for (RunState ended : ENDED) {
            assertThat(RunTransitions.eventFor(ended, QUEUED)).as(ended.toString()).isEqualTo("run_continued");
        }
    }

    @Test
    void everyOtherStateIsRecordedByItsOwnEventWhereverTheRunCameFrom() {
        Map<RunState, String> events = Map.of(PENDING, "run_pending", CLAIMED, "run_claimed",
                INPROGRESS, "run_in_progress", SUCCEEDED, "run_succeeded", FAILED, "run_failed",
                BLOCKED, "run_blocked", ERROR, "run_errored", CANCELLED, "run_cancelled");
        for (Map.Entry<RunState, String> e : events.entrySet()) {
            assertThat(RunTransitions.eventFor(QUEUED, e.getKey())).isEqualTo(e.getValue());
            assertThat(RunTransitions.eventFor(INPROGRESS, e.getKey())).isEqualTo(e.getValue());
        }
    }

    @Test
    void eachReportableEventMovesTheRunToItsStateAndTheReportableSetIsExactlyThose() {
        Map<String, RunState> reported = Map.of("run_in_progress", INPROGRESS, "run_succeeded", SUCCEEDED,
                "run_failed", FAILED, "run_errored", ERROR, "run_blocked", BLOCKED, "run_cancelled", CANCELLED);
        reported.forEach((type, state) -> assertThat(RunTransitions.targetOfReported(type)).as(type).contains(state));
        assertThat(RunTransitions.REPORTABLE).containsExactlyInAnyOrderElementsOf(reported.keySet());
        for (RunState state : reported.values()) {
            assertThat(RunTransitions.eventFor(INPROGRESS, state)).as("a report names the event that records it")
                    .isIn(RunTransitions.REPORTABLE);
        }
    }

    @Test
    void transitionsAClientMayNotReportAreNotReportable() {
        for (String type : List.of("run_queued", "run_pending", "run_claimed", "run_requeued", "run_continued",
                "RUN_SUCCEEDED", "", "succeeded")) {
            assertThat(RunTransitions.targetOfReported(type)).as(type).isEmpty();
            assertThat(RunTransitions.REPORTABLE).doesNotContain(type);
        }
    }

    @Test
    void theActiveStatesAreExactlyTheStatesThatHaveNotEndedAndIncludeTheHeldOnes() {
        for (RunState state : RunState.values()) {
            assertThat(RunTransitions.ACTIVE.contains(state)).as(state.name()).isEqualTo(!state.isTerminal());
        }
        assertThat(RunTransitions.ACTIVE).containsAll(RunTransitions.HELD).contains(QUEUED);
        assertThat(RunTransitions.ACTIVE_SQL).isEqualTo("('QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS')");
        assertThat(RunTransitions.HELD_SQL).isEqualTo("('PENDING', 'CLAIMED', 'INPROGRESS')");
    }

    @Test
    void theStateAfterAnEventIsTheStateItsEventWasWrittenForAndOtherEventsMoveNothing() {
        List<RunState> froms = new ArrayList<>(List.of(RunState.values()));
        froms.add(null);
        for (RunState from : froms) {
            for (RunState to : RunState.values()) {
                assertThat(RunTransitions.stateAfter(RunTransitions.eventFor(from, to))).as(from + " -> " + to).hasValue(to);
            }
        }
        assertThat(RunTransitions.stateAfter("transcript_appended")).isEmpty();
        assertThat(RunTransitions.stateAfter("artifact_created")).isEmpty();
    }
}
