package dev.drover.api;

import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /agent/runs/{runId}/followups}: another turn of the run with {@code message}. {@code mode} is
 * {@code normal} (the default), {@code plan} or {@code orchestrate}. {@code attachments} is the newer SDK's list of
 * prepared uploads; Drover has no prepare endpoint, so a non-empty list is refused (400) rather than dropped.
 */
public record FollowupRequest(String message, String mode, List<Map<String, Object>> attachments) {

    public FollowupRequest(String message, String mode) {
        this(message, mode, null);
    }
}
