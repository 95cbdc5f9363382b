package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;

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
}
