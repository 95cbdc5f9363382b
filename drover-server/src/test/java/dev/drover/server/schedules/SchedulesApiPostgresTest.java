package dev.drover.server.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulesApiPostgresTest extends SchedulesApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    @Test
    void twoNodesOnOneDatabaseFireEachTickOnce() throws Exception {
        String every = create(schedule("Every minute", "* * * * *")).get("id").asText();
        String hourly = create(schedule("Hourly", "0 * * * *")).get("id").asText();
        java.nio.file.Path node2Dir = Files.createTempDirectory("drover-node-2-");
        // every node of a cluster holds the same secrets key (README: Secrets)
        Files.copy(config.dataDir().resolve(dev.drover.server.secrets.SecretKeys.KEY_FILE),
                node2Dir.resolve(dev.drover.server.secrets.SecretKeys.KEY_FILE));
        ServerConfig second = ServerConfig.embedded(node2Dir)
                .withAdminApiKey(TestServer.ADMIN_KEY)
                .withDatabase(config.databaseUrl(), config.databaseUser(), config.databasePassword());
        try (TestServer node2 = TestServer.start(backend(), second, clock)) {
            List<Schedules> nodes = List.of(server.server().schedules(), node2.server().schedules());
            for (int minute = 0; minute < 5; minute++) {
                clock.set(Instant.parse("2030-01-07T09:00:00Z").plus(Duration.ofMinutes(minute)));
                // both nodes' tickers run on their own; on top of them, both nodes fire from several threads
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    threads.add(Thread.ofPlatform().start(nodes.get(t % 2)::fireDue));
                }
                for (Thread t : threads) {
                    t.join();
                }
                awaitRuns(every, minute + 1);
            }
            assertThat(nodes.get(0).fireDue() + nodes.get(1).fireDue()).as("no tick is left to fire").isZero();
            assertThat(runsOf(every)).hasSize(5);
            assertThat(runsOf(hourly)).hasSize(1);
        }
    }
}
