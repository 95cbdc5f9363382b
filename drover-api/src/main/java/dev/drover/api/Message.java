package dev.drover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** A whole message, returned when it is read. */
public record Message(
        String messageId,
        String senderRunId,
        String subject,
        String body,
        Instant sentAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant deliveredAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant readAt) {}
