package dev.drover.api;

import java.util.Map;

/**
 * What a worker does with a run's changes when the agent ends (sent in the claim; see docs/workers.md): commit them
 * as {@code commit_author} ({@code Name <email>}) on {@code branch}, push it to each repository's push URL and open
 * a pull request through its forge. {@code deliver_on_failure}: FAILED and BLOCKED runs are delivered too, as drafts.
 * {@code previous_heads} maps {@code owner/repo} to the commit an earlier execution of this run pushed there: a
 * follow-up replaces that branch only while it still points there (force with lease), and a branch this run never
 * pushed is never overwritten. {@code credential} names the secret to push and open pull requests with (the
 * environment's {@code git_secret}, whose value is the claim's secret of use {@code git}); null means the worker's
 * own {@code DROVER_GIT_TOKEN}. {@code session_link} goes into the commit
 * message and the pull request's body.
 */
public record RunDelivery(String branch, String commitAuthor, boolean deliverOnFailure, String sessionLink,
        Map<String, String> previousHeads, String credential) {
    public RunDelivery {
        previousHeads = previousHeads == null ? Map.of() : Map.copyOf(previousHeads);
    }
}
