package dev.drover.worker;

import dev.drover.api.ConversationResponse;
import dev.drover.api.RunItem;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a harness gets for one run: the run, its workspace, the scrubbed environment for its processes, and the
 * conversation so far when the run continues one ({@code history}, else null).
 */
public record RunContext(RunItem run, Path workspace, Map<String, String> environment, Cancellation cancellation,
        TranscriptWriter transcript, UsageMeter usage, ConversationResponse history) {}
