package dev.drover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An inbox entry without its body. {@code kind} (Drover's extension) is {@code followup} for a follow-up sent to the
 * run through {@code POST /agent/runs/{runId}/followups} (then {@code mode} is its query mode and
 * {@code sender_run_id} the run itself), absent for a message from another run.
 */
public record MessageHeader(
        String messageId,
        String senderRunId,
        String subject,
        Instant sentAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant deliveredAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant readAt,
        String kind,
        String mode) {

    public MessageHeader(String messageId, String senderRunId, String subject, Instant sentAt, Instant deliveredAt,
            Instant readAt) {
        this(messageId, senderRunId, subject, sentAt, deliveredAt, readAt, null, null);
    }

    public static final String FOLLOWUP = "followup";

    /** Whether this is a follow-up for the run's agent, rather than a message from another run. */
    public boolean followup() {
        return FOLLOWUP.equals(kind);
    }
}
