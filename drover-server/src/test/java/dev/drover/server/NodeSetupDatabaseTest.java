package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.server.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database pool's settings from the environment: defaults, values, and a bad value named at start. */
class NodeSetupDatabaseTest {
    private static ServerConfig withEnv(Map<String, String> env) {
        return ServerConfig.embedded(Path.of("/tmp/unused")).withEnv(env);
    }

    @Test
    void withoutSettingsAPoolOfEightWaitsThirtySecondsForAConnection() {
        Database.Settings s = NodeSetup.database(withEnv(Map.of()));
        assertThat(s.poolSize()).isEqualTo(8);
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theSizeAndTheTimeoutComeFromTheEnvironment() {
        Database.Settings s = NodeSetup.database(withEnv(Map.of("DROVER_DB_POOL_SIZE", "20",
                "DROVER_DB_CONNECTION_TIMEOUT_MS", "2500")));
        assertThat(s.poolSize()).isEqualTo(20);
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void aValueThatIsNotAWholeNumberInRangeStopsTheStartNamingTheVariable() {
        assertThatThrownBy(() -> NodeSetup.database(withEnv(Map.of("DROVER_DB_POOL_SIZE", "eight"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("DROVER_DB_POOL_SIZE:");
        assertThatThrownBy(() -> NodeSetup.database(withEnv(Map.of("DROVER_DB_POOL_SIZE", "0"))))
                .hasMessageStartingWith("DROVER_DB_POOL_SIZE:");
        // Hikari refuses less than 250 ms
        assertThatThrownBy(() -> NodeSetup.database(withEnv(Map.of("DROVER_DB_CONNECTION_TIMEOUT_MS", "100"))))
                .hasMessageStartingWith("DROVER_DB_CONNECTION_TIMEOUT_MS:");
    }
}
