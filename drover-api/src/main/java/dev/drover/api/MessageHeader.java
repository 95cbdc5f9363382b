package dev.drover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** An inbox entry without its body. */
public record MessageHeader(
        String messageId,
        String senderRunId,
        String subject,
        Instant sentAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant deliveredAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant readAt) {}
