package dev.drover.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.forge.testing.FakeForge;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ForgeKindTest {

    @Test
    void githubDotComHasItsApiOnItsOwnHostAndEnterpriseUnderApiV3() {
        assertThat(ForgeKind.GITHUB.apiBaseFor(URI.create("https://github.com"))).isEqualTo(URI.create("https://api.github.com"));
        assertThat(ForgeKind.GITHUB.apiBaseFor(URI.create("https://github.com/"))).isEqualTo(URI.create("https://api.github.com"));
        assertThat(ForgeKind.GITHUB.apiBaseFor(URI.create("https://ghe.example"))).isEqualTo(URI.create("https://ghe.example/api/v3"));
    }

    @Test
    void gitlabAndGiteaHaveTheirApiUnderTheirBaseKeepingAPathPrefix() {
        assertThat(ForgeKind.GITLAB.apiBaseFor(URI.create("https://gitlab.example/"))).isEqualTo(URI.create("https://gitlab.example/api/v4"));
        assertThat(ForgeKind.GITEA.apiBaseFor(URI.create("https://code.example/git"))).isEqualTo(URI.create("https://code.example/git/api/v1"));
    }

    @Test
    void theFakeForgeServesItsApiWhereTheDerivationLooks() {
        for (ForgeKind kind : ForgeKind.values()) {
            try (FakeForge fake = FakeForge.start(kind, "t")) {
                assertThat(kind.apiBaseFor(fake.webBase())).isEqualTo(fake.apiBase());
            }
        }
    }

    @Test
    void aBaseWithCredentialsOrNotHttpIsRefused() {
        assertThatThrownBy(() -> ForgeKind.GITEA.apiBaseFor(URI.create("https://user:pw@code.example")))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("pw");
        assertThatThrownBy(() -> ForgeKind.GITLAB.apiBaseFor(URI.create("file:///srv/git"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesParseInAnyCaseAndForgejoIsGitea() {
        assertThat(ForgeKind.parse("GitHub")).isEqualTo(ForgeKind.GITHUB);
        assertThat(ForgeKind.parse("gitlab")).isEqualTo(ForgeKind.GITLAB);
        assertThat(ForgeKind.parse("gitea")).isEqualTo(ForgeKind.GITEA);
        assertThat(ForgeKind.parse(" forgejo ")).isEqualTo(ForgeKind.GITEA);
        assertThatThrownBy(() -> ForgeKind.parse("bitbucket")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bitbucket");
        assertThatThrownBy(() -> ForgeKind.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessNeverPrintsItsTokenAndRefusesCredentialsInTheUrl() {
        ForgeAccess access = new ForgeAccess(ForgeKind.GITHUB, URI.create("https://api.github.com"), "ghp_topsecret");
        assertThat(access.toString()).doesNotContain("ghp_topsecret").contains("GITHUB", "https://api.github.com");
        assertThatThrownBy(() -> new ForgeAccess(ForgeKind.GITHUB, URI.create("https://x:ghp_topsecret@api.github.com"), null))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("ghp_topsecret");
    }
}
