package dev.drover.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.forge.testing.FakeForge;
import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitHubForgeTest {
    private FakeForge github;
    private Forge forge;

    @BeforeEach
    void start() {
        github = FakeForge.start(ForgeKind.GITHUB, "ghp_secret123").repo("acme", "app", "trunk");
        forge = Forge.of(github.access(), HttpClient.newHttpClient());
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void theDefaultBranchIsReadFromTheRepositoryWithTheDocumentedHeaders() throws Exception {
        assertThat(forge.defaultBranch("acme", "app")).isEqualTo("trunk");

        FakeForge.Request request = github.requests().getLast();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/api/v3/repos/acme/app");
        assertThat(request.header("Authorization")).isEqualTo("Bearer ghp_secret123");
        assertThat(request.header("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(request.header("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(request.header("User-Agent")).isNotBlank();
    }

    @Test
    void openingAPullRequestPostsTitleHeadBaseBodyAndDraft() throws Exception {
        PullRequest opened = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "trunk", "Fix it", "Because.", true));

        assertThat(opened).isEqualTo(new PullRequest(github.webBase() + "/acme/app/pull/1", 1, "drover/fix-1", "trunk", "Fix it", true));
        FakeForge.Request request = github.requests().getLast();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/v3/repos/acme/app/pulls");
        assertThat(request.header("Content-Type")).startsWith("application/json");
        assertThat(request.json().properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("title", "head", "base", "body", "draft");
        assertThat(request.json().get("draft").asBoolean()).isTrue();
        assertThat(github.pullRequests()).singleElement().satisfies(pull -> {
            assertThat(pull.head()).isEqualTo("drover/fix-1");
            assertThat(pull.body()).isEqualTo("Because.");
            assertThat(pull.draft()).isTrue();
        });
    }

    @Test
    void findOpenAsksForTheOwnersBranchAndIgnoresAForkWithTheSameBranchName() throws Exception {
        github.pullRequest("acme", "app", "mallory", "drover/fix-1", "trunk", "From a fork");
        assertThat(forge.findOpen("acme", "app", "drover/fix-1")).isEmpty();
        assertThat(github.requests().getLast().path()).isEqualTo("/api/v3/repos/acme/app/pulls");
        assertThat(github.requests().getLast().query()).contains("state=open").contains("head=acme%3Adrover%2Ffix-1");

        PullRequest ours = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "trunk", "Ours", null, false));
        assertThat(forge.findOpen("acme", "app", "drover/fix-1")).contains(ours);
        assertThat(forge.findOpen("acme", "app", "drover/other")).isEmpty();
    }

    @Test
    void aSecondPullRequestFromTheSameBranchIsTheForges422WithItsMessage() throws Exception {
        forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "trunk", "Fix", null, false));

        assertThatThrownBy(() -> forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "trunk", "Fix", null, false)))
                .isInstanceOfSatisfying(ForgeException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.forgeMessage()).contains("Validation Failed", "A pull request already exists for acme:drover/fix-1");
                    assertThat(e.getMessage()).contains("422", "A pull request already exists");
                });
    }

    @Test
    void aCommentGoesToTheIssuesCommentsAndItsPageIsReturned() throws Exception {
        long issue = github.issue("acme", "app");

        URI url = forge.comment("acme", "app", issue, "Working on it: https://drover.example/runs/1");

        assertThat(github.comments()).singleElement().satisfies(comment -> {
            assertThat(comment.number()).isEqualTo(issue);
            assertThat(comment.body()).isEqualTo("Working on it: https://drover.example/runs/1");
            assertThat(url.toString()).isEqualTo(comment.url()).contains("/acme/app/issues/" + issue + "#issuecomment-");
        });
        FakeForge.Request request = github.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/v3/repos/acme/app/issues/" + issue + "/comments");
        assertThat(request.json().properties()).extracting(java.util.Map.Entry::getKey).containsExactly("body");
    }

    @Test
    void aPullRequestIsCommentedOnAsTheIssueItIs() throws Exception {
        PullRequest pull = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "trunk", "Fix", null, false));

        forge.commentOnPullRequest("acme", "app", pull.number(), "Done.");

        assertThat(github.requests().getLast().path()).isEqualTo("/api/v3/repos/acme/app/issues/" + pull.number() + "/comments");
        assertThat(github.comments()).singleElement().extracting(FakeForge.Comment::onPullRequest).isEqualTo(true);
    }

    @Test
    void aCommentOnAnIssueThatDoesNotExistIs404() {
        assertThatThrownBy(() -> forge.comment("acme", "app", 77, "hello"))
                .isInstanceOfSatisfying(ForgeException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.forgeMessage()).contains("Not Found");
                });
    }
}
