package dev.drover.server.auth;

import java.util.Optional;

/**
 * The run a run-scoped token ({@code drt_…}) speaks for, while that run is held. The runs feature owns the tokens and
 * the runs' states and answers through this interface, wired in {@code DroverServer}, so auth never reads their
 * tables (and never imports the package that imports it).
 */
@FunctionalInterface
public interface RunTokenRuns {
    /** For servers and tools that hand out no run tokens: every run token is unknown. */
    RunTokenRuns NONE = tokenHash -> Optional.empty();

    /** The held run whose token hashes to {@code tokenHash} ({@link ApiKeys#hash}), if any. */
    Optional<HeldRun> heldRun(String tokenHash);

    /** A held run and the principal that created it (whom its token acts as, scoped to the run). */
    record HeldRun(String runId, String creatorId) {}
}
