package dev.drover.server.runs;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.Redactor;
import dev.drover.server.auth.Principal;

/**
 * What creating a run or a follow-up needs from the secrets of runs ({@code RunSecrets}, which reads runs, identities
 * and environments and so sits above this package): wired in {@code DroverServer}, so runs never imports it back.
 */
public interface ChildRunSecrets {
    /** The values to take out of what {@code caller} sends: its run's secrets for a run-scoped token, else none. */
    Redactor redactorFor(Principal caller);

    /** Refuses (400, naming {@code field}) a new run naming a secret the caller cannot see. */
    void checkNewRun(Principal caller, AmbientAgentConfig config, String field);
}
