package dev.drover.worker;

import dev.drover.api.ArtifactUpload;
import dev.drover.api.ConversationResponse;
import dev.drover.client.DroverClient;
import dev.drover.api.RunItem;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a harness gets for one run: the run, its workspace, the scrubbed environment for its processes, the
 * conversation so far when the run continues one ({@code history}, else null), the API as the agent (with the
 * run-scoped token: messages, child runs), where the run's artifacts go, and the model the server chose for the
 * run with its provider ({@code modelId}/{@code modelProvider}, null from servers that do not say).
 */
public record RunContext(RunItem run, Path workspace, Map<String, String> environment, Cancellation cancellation,
        TranscriptWriter transcript, UsageMeter usage, ConversationResponse history, DroverClient agentApi,
        ArtifactSink artifacts, String modelId, String modelProvider) {

    public RunContext(RunItem run, Path workspace, Map<String, String> environment, Cancellation cancellation,
            TranscriptWriter transcript, UsageMeter usage, ConversationResponse history, DroverClient agentApi,
            ArtifactSink artifacts) {
        this(run, workspace, environment, cancellation, transcript, usage, history, agentApi, artifacts, null, null);
    }

    /** Records an artifact of the run. */
    public interface ArtifactSink {
        String record(ArtifactUpload artifact);
    }
}
