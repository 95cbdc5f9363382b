package dev.drover.api;

/**
 * Reply to a follow-up, as the newer SDK reads it: {@code followup_id} names the stored follow-up (the inbox message
 * the agent receives), {@code outcome} how it was routed — {@code live_session} (the run is executing; its agent
 * receives the message at its next step), {@code queue_pending} (the run has not started; its agent receives the
 * message at its first step) or {@code handoff_execution} (the run had ended; it was queued again for a new
 * execution that continues its conversation). {@code run_id} and {@code state} are Drover's additions: the run and
 * its state right after the follow-up.
 */
public record FollowupResponse(String followupId, String outcome, String runId, RunState state) {
    public static final String LIVE_SESSION = "live_session";
    public static final String QUEUE_PENDING = "queue_pending";
    public static final String HANDOFF_EXECUTION = "handoff_execution";
}
