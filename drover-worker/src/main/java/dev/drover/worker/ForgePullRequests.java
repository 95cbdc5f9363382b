package dev.drover.worker;

import dev.drover.api.RunEnvironment;
import dev.drover.forge.Forge;
import dev.drover.forge.ForgeAccess;
import dev.drover.forge.ForgeKind;
import dev.drover.forge.PullRequest;
import dev.drover.forge.PullRequestDraft;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Optional;

/**
 * Pull requests through {@code drover-forge}, with the forge and API base the claim names for the repository and the
 * run's git credential ({@link GitCredential}: its environment's git secret, else the worker's token). A branch that already has an open pull request (an earlier execution of the run opened it, or
 * someone else) gets no second one: the open one is answered.
 */
final class ForgePullRequests implements Delivery.PullRequests {
    /** Never follows redirects: a redirect would carry the token wherever it points. */
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Override
    public Delivery.Opened open(String token, RunEnvironment.Repository repo, String branch, String title, String body,
            boolean draft) throws Exception {
        Forge forge = Forge.of(new ForgeAccess(ForgeKind.parse(repo.forge()), URI.create(repo.forgeApiUrl()), token),
                http);
        Optional<PullRequest> open = forge.findOpen(repo.owner(), repo.repo(), branch);
        if (open.isPresent()) {
            return new Delivery.Opened(open.get().url(), false);
        }
        String base = forge.defaultBranch(repo.owner(), repo.repo());
        return new Delivery.Opened(forge.open(repo.owner(), repo.repo(), new PullRequestDraft(branch, base, title, body, draft))
                .url(), true);
    }
}
