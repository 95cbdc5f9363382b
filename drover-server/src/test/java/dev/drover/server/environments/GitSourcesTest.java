package dev.drover.server.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GitSourcesTest {

    @Test
    void withoutABaseRepositoriesComeFromGitHub() {
        assertThat(GitSources.of(null).cloneUrl("acme", "web")).isEqualTo("https://github.com/acme/web.git");
        assertThat(GitSources.of(" ").cloneUrl("acme", "web")).isEqualTo("https://github.com/acme/web.git");
    }

    @Test
    void aBaseUrlIsUsedWithoutItsTrailingSlash() {
        assertThat(GitSources.of("https://git.example.com/mirror/").cloneUrl("acme", "web"))
                .isEqualTo("https://git.example.com/mirror/acme/web.git");
        assertThat(GitSources.of("file:///srv/git").cloneUrl("acme", "web")).isEqualTo("file:///srv/git/acme/web.git");
    }

    @Test
    void aPlainDirectoryBecomesAFileUrlOfItsAbsolutePath() {
        assertThat(GitSources.of("/srv/git").cloneUrl("acme", "web")).isEqualTo("file:///srv/git/acme/web.git");
        assertThat(GitSources.of("repos").cloneUrl("o", "r"))
                .isEqualTo(Path.of("repos").toAbsolutePath().toUri().toString().replaceAll("/$", "") + "/o/r.git");
    }

    @Test
    void aPasswordInTheUrlOrAnUnsupportedSchemeIsRefusedAtStart() {
        assertThatThrownBy(() -> GitSources.of("https://me:ghp_secret@github.com"))
                .hasMessageContaining("DROVER_GIT_TOKEN").hasMessageNotContaining("ghp_secret");
        assertThatThrownBy(() -> GitSources.of("ssh://git@github.com")).hasMessageContaining("ssh");
        assertThat(GitSources.of("https://me@git.example.com").base()).isEqualTo("https://me@git.example.com");
    }
}
