package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void itsTextNamesEverySettingButNoSecret() {
        ServerConfig config = new ServerConfig("0.0.0.0", 9000, Path.of("/srv/drover"),
                "jdbc:postgresql://db:5432/drover?user=drover&password=hunter2&ssl=true", "drover", "s3cret-pw",
                "https://drover.example", "drv_presetadminkey", null, 5, Map.of("OPENAI_API_KEY", "sk-live-123"));

        assertThat(config.toString())
                .contains("0.0.0.0", "9000", "/srv/drover", "jdbc:postgresql://db:5432/drover?user=drover&password=***&ssl=true",
                        "https://drover.example", "OPENAI_API_KEY", "teamConcurrency=5")
                .doesNotContain("hunter2", "s3cret-pw", "drv_presetadminkey", "sk-live-123");
    }

    @Test
    void aPasswordInTheAuthorityOfTheUrlIsMaskedToo() {
        assertThat(ServerConfig.maskUrlPassword("jdbc:postgresql://drover:hunter2@db:5432/drover"))
                .isEqualTo("jdbc:postgresql://drover:***@db:5432/drover");
        assertThat(ServerConfig.maskUrlPassword("jdbc:postgresql://db:5432/drover")).isEqualTo("jdbc:postgresql://db:5432/drover");
    }

    @Test
    void theForgeComesFromTheGitBaseUnlessConfiguredAndIsCheckedAtStart() {
        ServerConfig config = ServerConfig.embedded(Path.of("/tmp/x"));
        assertThat(config.forgeEndpoint()).contains(new dev.drover.forge.ForgeEndpoint(dev.drover.forge.ForgeKind.GITHUB,
                java.net.URI.create("https://api.github.com")));
        assertThat(config.withGitBaseUrl("https://gitlab.example").withForge("gitlab", null).forgeEndpoint())
                .contains(new dev.drover.forge.ForgeEndpoint(dev.drover.forge.ForgeKind.GITLAB,
                        java.net.URI.create("https://gitlab.example/api/v4")));
        assertThat(config.withForge("none", null).forgeEndpoint()).isEmpty();
        // the forge settings survive the other with* copies
        assertThat(config.withForge("gitea", "https://gitea.example/api/v1").withPort(1).withEnv(Map.of()).forgeEndpoint())
                .hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(dev.drover.forge.ForgeKind.GITEA));

        assertThatThrownBy(() -> DroverServer.start(config.withPort(0).withForge("bitbucket", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_FORGE:");
    }

    @Test
    void aPasswordInTheForgeApiUrlIsNotInTheText() {
        assertThat(ServerConfig.embedded(Path.of("/tmp/x")).withForge("gitlab", "https://u:hunter2@gitlab.example/api/v4")
                .toString()).contains("forge=gitlab").doesNotContain("hunter2");
    }
}
