package dev.drover.worker;

import dev.drover.api.ArtifactItem;
import dev.drover.api.ArtifactType;
import dev.drover.api.ArtifactUpload;
import dev.drover.api.ClaimedRun;
import dev.drover.client.DroverWorkerClient;
import java.util.List;
import java.util.Optional;

/**
 * A run's pull request artifacts as delivery sees them: read with the run's own token (the run is still active, and
 * an agent's artifacts are recorded on it), recorded by the worker holding the run, fenced to its execution.
 */
final class RunPullRequests implements Delivery.RunArtifacts {
    private final DroverWorkerClient worker;
    private final String workerId;
    private final ClaimedRun claimed;
    private final dev.drover.api.Redactor redactor;

    RunPullRequests(DroverWorkerClient worker, String workerId, ClaimedRun claimed, dev.drover.api.Redactor redactor) {
        this.worker = worker;
        this.workerId = workerId;
        this.claimed = claimed;
        this.redactor = redactor;
    }

    @Override
    public Optional<String> pullRequestFor(String repository, String branch) {
        if (claimed.runToken() == null) {
            return Optional.empty();
        }
        List<ArtifactItem> artifacts = worker.asRun(claimed.runToken())
                .getRun(claimed.run().runId()).artifacts();
        if (artifacts == null) {
            return Optional.empty();
        }
        return artifacts.stream()
                .filter(a -> a.artifactType() == ArtifactType.PULL_REQUEST && a.data() != null)
                .filter(a -> branch.equals(a.data().get("branch")))
                .filter(a -> a.data().get("repository") == null || repository.equals(a.data().get("repository")))
                .map(a -> String.valueOf(a.data().get("url")))
                .findFirst();
    }

    @Override
    public void recordPullRequest(String url, String branch, String title, String repository) {
        worker.recordArtifact(workerId, claimed.run().runId(), claimed.executionId(),
                Worker.redact(ArtifactUpload.pullRequest(url, branch, title, repository), redactor));
    }
}
