package dev.drover.worker;

import dev.drover.api.RunItem;
import java.nio.file.Path;
import java.util.Map;

/** What a harness gets for one run: the run, its workspace and the scrubbed environment for its processes. */
public record RunContext(RunItem run, Path workspace, Map<String, String> environment, Cancellation cancellation,
        TranscriptWriter transcript, UsageMeter usage) {}
