package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.ClaimedRun;
import dev.drover.api.RunDelivery;
import dev.drover.api.RunEnvironment;
import dev.drover.api.RunItem;
import dev.drover.api.RunSecret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

class GitCredentialTest {
    static final String WORKER = "ghp_workersOwnToken";
    static final String TEAM = "ghp_theTeamsOwnToken";
    static final String URL = "https://git.example.com/acme/web.git";

    private static ClaimedRun claim(String gitSecret, List<RunSecret> secrets) {
        RunItem run = new RunItem("r1", "r1", "t", null, null, "p", Instant.now(), Instant.now(), null, null, null, null,
                null, null, null, null, null, AmbientAgentConfig.empty(), null, null, null, List.of(), null, null, null,
                null, null);
        RunEnvironment env = new RunEnvironment("e", "env", null, List.of(new RunEnvironment.Repository("acme", "web",
                URL)), List.of(), List.of(), null, gitSecret);
        return new ClaimedRun(run, Instant.now(), 1, null, null, List.of(), env, null, null, null, "w:1", 1, secrets,
                null, new RunDelivery("drover/r1", "Bot <b@x>", false, null, Map.of(), gitSecret));
    }

    private static String password(CredentialsProvider p) throws Exception {
        CredentialItem.Username user = new CredentialItem.Username();
        CredentialItem.Password password = new CredentialItem.Password();
        assertThat(p.get(new URIish(URL), user, password)).isTrue();
        assertThat(user.getValue()).isEqualTo("x-access-token");
        return new String(password.getValue());
    }

    @Test
    void aRunWithoutAGitSecretUsesTheWorkersTokenOverHttpOnly() throws Exception {
        GitCredential c = GitCredential.forRun(claim(null, List.of()), WORKER);
        assertThat(c.token()).isEqualTo(WORKER);
        assertThat(c.missing()).isNull();
        assertThat(password(c.forUrl(URL))).isEqualTo(WORKER);
        assertThat(c.forUrl("file:///srv/git/acme/web.git")).as("never offered to a local path").isNull();
    }

    @Test
    void aRunsGitSecretReplacesTheWorkersTokenAndAnEnvironmentSecretOfTheSameValueIsNotTakenForIt() throws Exception {
        GitCredential c = GitCredential.forRun(claim("REPO_TOKEN", List.of(
                new RunSecret("OTHER", "not-this", RunSecret.ENVIRONMENT),
                new RunSecret("REPO_TOKEN", TEAM, RunSecret.GIT))), WORKER);
        assertThat(c.token()).isEqualTo(TEAM);
        assertThat(password(c.forUrl(URL))).isEqualTo(TEAM);
        assertThat(c.toString()).contains("REPO_TOKEN").doesNotContain(TEAM);
        // a secret of that name given for the environment only is not the run's git credential
        GitCredential onlyEnvironment = GitCredential.forRun(claim("REPO_TOKEN", List.of(
                new RunSecret("REPO_TOKEN", TEAM, RunSecret.ENVIRONMENT))), WORKER);
        assertThat(onlyEnvironment.token()).isNull();
    }

    @Test
    void aGitSecretTheClaimDoesNotCarryNeverFallsBackToTheWorkersToken() {
        GitCredential c = GitCredential.forRun(claim("REPO_TOKEN", List.of()), WORKER);
        assertThat(c.token()).isNull();
        assertThat(c.forUrl(URL)).isNull();
        assertThat(c.missing()).contains("REPO_TOKEN");
    }
}
