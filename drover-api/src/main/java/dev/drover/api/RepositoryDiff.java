package dev.drover.api;

/**
 * One repository's changes by a run ({@code GET /agent/runs/{id}/diff}, a Drover extension), also what the worker
 * reports after delivering them ({@code POST /workers/{id}/runs/{runId}/deliveries}): the unified diff (git format)
 * of the run's commit {@code head_commit} against the cloned commit {@code base_commit}, cut at 5 MiB
 * ({@code truncated}); {@code branch} is where the commit was put, {@code pushed} whether the remote has it, and
 * {@code delivery_error} why it was not pushed or proposed (null when all went well).
 */
public record RepositoryDiff(String repository, String baseCommit, String headCommit, String branch,
        Integer filesChanged, Integer insertions, Integer deletions, Boolean truncated, String diff, Boolean pushed,
        String deliveryError) {}
