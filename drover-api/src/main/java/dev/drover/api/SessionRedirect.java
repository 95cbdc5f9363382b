package dev.drover.api;

/**
 * Reply of the session redirect endpoint: the conversation id once the run has finished. {@code run_id} (Drover's
 * extension) is the session's run whenever the caller may see it, so that the public session page — which carries
 * no run id — can find the run with its viewer's key. Both are absent for a session the caller does not see.
 */
public record SessionRedirect(String conversationId, String runId) {

    public SessionRedirect(String conversationId) {
        this(conversationId, null);
    }
}
