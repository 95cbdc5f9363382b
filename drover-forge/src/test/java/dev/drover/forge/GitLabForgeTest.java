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

class GitLabForgeTest {
    private FakeForge gitlab;
    private Forge forge;

    @BeforeEach
    void start() {
        gitlab = FakeForge.start(ForgeKind.GITLAB, "glpat-secret123").repo("acme", "app", "main")
                .repo("group/sub", "lib", "develop");
        forge = Forge.of(gitlab.access(), HttpClient.newHttpClient());
    }

    @AfterEach
    void stop() {
        gitlab.close();
    }

    @Test
    void theProjectIsAddressedByItsEncodedPathWithThePrivateTokenHeader() throws Exception {
        assertThat(forge.defaultBranch("acme", "app")).isEqualTo("main");
        assertThat(forge.defaultBranch("group/sub", "lib")).isEqualTo("develop");

        FakeForge.Request request = gitlab.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/v4/projects/group%2Fsub%2Flib");
        assertThat(request.header("PRIVATE-TOKEN")).isEqualTo("glpat-secret123");
        assertThat(request.header("Authorization")).isNull();
    }

    @Test
    void aMergeRequestIsOpenedWithSourceTargetTitleAndDescriptionAndADraftIsATitlePrefix() throws Exception {
        PullRequest opened = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix it", "Because.", true));

        assertThat(opened).isEqualTo(new PullRequest(gitlab.webBase() + "/acme/app/-/merge_requests/1", 1, "drover/fix-1",
                "main", "Draft: Fix it", true));
        FakeForge.Request request = gitlab.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/v4/projects/acme%2Fapp/merge_requests");
        assertThat(request.json().properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("source_branch", "target_branch", "title", "description");
        assertThat(request.json().get("title").asText()).isEqualTo("Draft: Fix it");
        assertThat(gitlab.pullRequests()).singleElement().extracting(FakeForge.Pull::body).isEqualTo("Because.");
    }

    @Test
    void findOpenFiltersBySourceBranchAndIgnoresForks() throws Exception {
        gitlab.pullRequest("acme", "app", "mallory", "drover/fix-1", "main", "From a fork");
        assertThat(forge.findOpen("acme", "app", "drover/fix-1")).isEmpty();
        assertThat(gitlab.requests().getLast().query()).contains("state=opened").contains("source_branch=drover%2Ffix-1");

        PullRequest ours = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Ours", null, false));
        assertThat(forge.findOpen("acme", "app", "drover/fix-1")).contains(ours);
    }

    @Test
    void aSecondMergeRequestFromTheBranchIsTheForges409WithItsMessage() throws Exception {
        forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix", null, false));

        assertThatThrownBy(() -> forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix", null, false)))
                .isInstanceOfSatisfying(ForgeException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.forgeMessage()).contains("Another open merge request already exists for this source branch: !1");
                });
    }

    @Test
    void anIssueNoteReturnsTheIssuePageWithTheNoteAnchor() throws Exception {
        long issue = gitlab.issue("acme", "app");

        URI url = forge.comment("acme", "app", issue, "On it.");

        FakeForge.Request request = gitlab.requests().getLast();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/v4/projects/acme%2Fapp/issues/" + issue + "/notes");
        assertThat(request.json().properties()).extracting(Map.Entry::getKey).containsExactly("body");
        assertThat(gitlab.comments()).singleElement().satisfies(note -> {
            assertThat(note.onPullRequest()).isFalse();
            assertThat(url.toString()).isEqualTo(note.url())
                    .isEqualTo(gitlab.webBase() + "/acme/app/-/issues/" + issue + "#note_" + note.id());
        });
    }

    @Test
    void mergeRequestsAreNumberedApartFromIssuesSoTheirNotesHaveTheirOwnPath() throws Exception {
        PullRequest mr = forge.open("acme", "app", new PullRequestDraft("drover/fix-1", "main", "Fix", null, false));

        URI url = forge.commentOnPullRequest("acme", "app", mr.number(), "Done.");

        assertThat(gitlab.requests().getLast().path()).isEqualTo("/api/v4/projects/acme%2Fapp/merge_requests/1/notes");
        assertThat(url.toString()).startsWith(gitlab.webBase() + "/acme/app/-/merge_requests/1#note_");
        // there is no issue 1: the same number as an issue is GitLab's 404
        assertThatThrownBy(() -> forge.comment("acme", "app", mr.number(), "Done."))
                .isInstanceOfSatisfying(ForgeException.class, e -> assertThat(e.forgeMessage()).contains("404 Issue Not Found"));
    }

    @Test
    void aFailureReadingTheProjectPostsNoNoteThatARetryWouldDuplicate() {
        long issue = gitlab.issue("acme", "app");
        gitlab.failNext(1, 502);

        assertThatThrownBy(() -> forge.comment("acme", "app", issue, "On it."))
                .isInstanceOfSatisfying(ForgeException.class, e -> assertThat(e.retryable()).isTrue());
        assertThat(gitlab.comments()).isEmpty();
    }

    @Test
    void anUnknownProjectIsTheForges404() {
        assertThatThrownBy(() -> forge.defaultBranch("acme", "nope"))
                .isInstanceOfSatisfying(ForgeException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.forgeMessage()).isEqualTo("404 Project Not Found");
                });
    }
}
