package dev.drover.server.integrations;

import dev.drover.forge.Forge;
import dev.drover.forge.ForgeAccess;
import dev.drover.forge.ForgeException;
import dev.drover.forge.ForgeKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/** Comments through the deployment's forge client ({@code DROVER_FORGE}, with {@code DROVER_GIT_TOKEN}). */
public final class ForgeCommentSender implements CommentSender {
    private final Forge forge;
    private final ForgeKind kind;

    private ForgeCommentSender(Forge forge, ForgeKind kind) {
        this.forge = forge;
        this.kind = kind;
    }

    public static ForgeCommentSender of(ForgeAccess access) {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new ForgeCommentSender(Forge.of(access, http), access.kind());
    }

    /** Events come from GitHub or GitLab; comments can go only to the one forge this deployment has access to. */
    @Override
    public boolean serves(String forgeName) {
        return switch (kind) {
            case GITHUB -> forgeName.equals("github");
            case GITLAB -> forgeName.equals("gitlab");
            case GITEA -> false;
        };
    }

    @Override
    public URI post(Target target, String body) throws Failure {
        String project = target.project();
        String owner = project.substring(0, project.lastIndexOf('/'));
        String repo = project.substring(project.lastIndexOf('/') + 1);
        try {
            // GitHub numbers pull requests with issues; GitLab numbers merge requests apart from issues
            return target.target().equals("merge_request")
                    ? forge.commentOnPullRequest(owner, repo, target.number(), body)
                    : forge.comment(owner, repo, target.number(), body);
        } catch (ForgeException e) {
            throw new Failure(e.getMessage(), e.retryable());
        } catch (IllegalArgumentException e) {
            // a name the forge client refuses to put into a path: no attempt can succeed
            throw new Failure(e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while commenting", e); // the claim's lease retries it
        }
    }
}
