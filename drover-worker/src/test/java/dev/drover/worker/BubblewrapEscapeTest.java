package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;

/** The escapes on the bubblewrap backend; required where DROVER_REQUIRE_SANDBOX=1 (CI). */
class BubblewrapEscapeTest extends IsolationEscapeTest {
    @Override
    String backend() {
        return "bubblewrap";
    }

    @Override
    IsolationSettings settings() throws Exception {
        var found = BubblewrapIsolation.find(IsolationSettings.of("bubblewrap"), List.of(),
                Files.createTempDirectory("drover-probe-"));
        if (found.isolation() == null) {
            assertThat("1".equals(System.getenv("DROVER_REQUIRE_SANDBOX")))
                    .as("DROVER_REQUIRE_SANDBOX=1 but bubblewrap does not hold here: " + found.probe().reason()).isFalse();
            return null;
        }
        return IsolationSettings.of("bubblewrap");
    }
}
