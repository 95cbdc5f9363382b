package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {

    @Test
    void settingsNeverShowThePasswordInTheFieldOrInTheUrl() {
        String text = new Database.Settings("jdbc:postgresql://db/drover?user=d&password=hunter2&ssl=true", "d",
                "s3cret", Path.of("/data"), 8).toString();
        assertThat(text).doesNotContain("hunter2").doesNotContain("s3cret").contains("password=***").contains("ssl=true");
    }
}
