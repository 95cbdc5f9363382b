package dev.drover.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.forge.testing.FakeForge;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GiteaForgeTest {
    private FakeForge gitea;
    private Forge forge;

    @BeforeEach
    void start() {
        gitea = FakeForge.start(ForgeKind.GITEA, "gitea-secret123").repo("acme", "app", "main");
        forge = Forge.of(gitea.access(), HttpClient.newHttpClient());
    }

    @AfterEach
    void stop() {
        gitea.close();
    }

    @Test
    void theDefaultBranchIsReadWithTheTokenAuthorizationForm() throws Exception {
        assertThat(forge.defaultBranch("acme", "app")).isEqualTo("main");

        FakeForge.Request request = gitea.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/v1/repos/acme/app");
        assertThat(request.header("Authorization")).isEqualTo("token gitea-secret123");
    }

    @Test
    void aPullRequestIsOpenedWithHeadBaseTitleBodyAndADraftIsAWipTitle() throws Exception {
        PullRequest opened = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix it", "Because.", true));

        assertThat(opened).isEqualTo(new PullRequest(gitea.webBase() + "/acme/app/pulls/1", 1, "drover/fix-1", "main",
                "WIP: Fix it", true));
        FakeForge.Request request = gitea.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/v1/repos/acme/app/pulls");
        assertThat(request.json().properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("head", "base", "title", "body");
    }

    @Test
    void findOpenPagesThroughOpenPullRequestsUntilItFindsTheBranch() throws Exception {
        for (int i = 0; i < 120; i++) {
            gitea.pullRequest("acme", "app", "acme", "other-" + i, "main", "Other " + i);
        }
        gitea.pullRequest("acme", "app", "mallory", "drover/fix-1", "main", "From a fork");
        PullRequest ours = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Ours", null, false));
        int before = gitea.requests().size();

        assertThat(forge.findOpen("acme", "app", "drover/fix-1")).contains(ours);

        var pages = gitea.requests().subList(before, gitea.requests().size());
        assertThat(pages).hasSize(3).allSatisfy(r -> {
            assertThat(r.path()).isEqualTo("/api/v1/repos/acme/app/pulls");
            assertThat(r.query()).contains("state=open", "limit=50");
        });
        assertThat(pages.getLast().query()).contains("page=3");
        assertThat(forge.findOpen("acme", "app", "drover/none")).isEmpty();
    }

    @Test
    void aSecondPullRequestForTheSameTargetsIsTheForges409() throws Exception {
        forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix", null, false));

        assertThatThrownBy(() -> forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix", null, false)))
                .isInstanceOfSatisfying(ForgeException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.forgeMessage()).contains("pull request already exists for these targets");
                });
    }

    @Test
    void aCommentGoesToTheIssuesCommentsAndItsPageIsReturned() throws Exception {
        long issue = gitea.issue("acme", "app");

        URI url = forge.comment("acme", "app", issue, "On it.");

        FakeForge.Request request = gitea.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/v1/repos/acme/app/issues/" + issue + "/comments");
        assertThat(request.json().properties()).extracting(Map.Entry::getKey).containsExactly("body");
        assertThat(gitea.comments()).singleElement().satisfies(c -> assertThat(url.toString()).isEqualTo(c.url()));
    }
}
