package dev.drover.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForgeSettingsTest {

    @Test
    void githubDotComIsGithubWithoutBeingConfigured() {
        assertThat(ForgeSettings.resolve(null, null, null))
                .contains(new ForgeEndpoint(ForgeKind.GITHUB, URI.create("https://api.github.com")));
        assertThat(ForgeSettings.resolve("https://github.com", "", " "))
                .contains(new ForgeEndpoint(ForgeKind.GITHUB, URI.create("https://api.github.com")));
    }

    @Test
    void anotherHostOrADirectoryIsNoForgeUnlessConfigured() {
        assertThat(ForgeSettings.resolve("https://git.example", null, null)).isEmpty();
        assertThat(ForgeSettings.resolve("/srv/git", null, null)).isEmpty();
        assertThat(ForgeSettings.resolve("file:///srv/git", null, null)).isEmpty();
    }

    @Test
    void aConfiguredKindDerivesItsApiFromTheGitBase() {
        assertThat(ForgeSettings.resolve("https://gitlab.example", "gitlab", null))
                .contains(new ForgeEndpoint(ForgeKind.GITLAB, URI.create("https://gitlab.example/api/v4")));
        assertThat(ForgeSettings.resolve("https://code.example", "Forgejo", null))
                .contains(new ForgeEndpoint(ForgeKind.GITEA, URI.create("https://code.example/api/v1")));
        assertThat(ForgeSettings.resolve("https://ghe.example", "github", null))
                .contains(new ForgeEndpoint(ForgeKind.GITHUB, URI.create("https://ghe.example/api/v3")));
    }

    @Test
    void aConfiguredApiUrlWins() {
        assertThat(ForgeSettings.resolve("/srv/git", "gitea", "http://gitea.internal:3000/api/v1/"))
                .contains(new ForgeEndpoint(ForgeKind.GITEA, URI.create("http://gitea.internal:3000/api/v1")));
    }

    @Test
    void noneSwitchesItOffEvenForGithub() {
        assertThat(ForgeSettings.resolve("https://github.com", "none", "https://api.github.com")).isEqualTo(Optional.empty());
        assertThat(ForgeSettings.resolve("https://github.com", "NONE", null)).isEmpty();
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> ForgeSettings.resolve(null, "bitbucket", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_FORGE:").hasMessageContaining("bitbucket");
        assertThatThrownBy(() -> ForgeSettings.resolve(null, "gitlab", "ftp://x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_FORGE_API_URL:");
        assertThatThrownBy(() -> ForgeSettings.resolve(null, "gitlab", "https://u:hunter2@gitlab.example/api/v4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_FORGE_API_URL:")
                .message().doesNotContain("hunter2");
        assertThatThrownBy(() -> ForgeSettings.resolve("/srv/git", "gitea", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_FORGE_API_URL:");
        assertThatThrownBy(() -> ForgeSettings.resolve("https://git.example", null, "https://git.example/api/v1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_FORGE_API_URL:")
                .hasMessageContaining("DROVER_FORGE");
    }
}
