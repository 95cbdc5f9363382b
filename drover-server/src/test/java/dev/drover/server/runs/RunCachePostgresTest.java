package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunCachePostgresTest extends RunCacheTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    /** No notification is waited for: the next GET on the other node checks the row's version in the database. */
    @Test
    void aRunChangedThroughAnotherNodeIsReadAsChangedOnThisOneAtOnce() {
        try (TestServer second = TestServer.start(backend(), server.server().config())) {
            Api one = server.newTenant("cache-nodes-" + UUID.randomUUID());
            Api two = new Api(second.apiBaseUrl(), one.key());
            String run = localRun(one, "two nodes");
            read(two, run);
            assertThat(read(two, run).get("state").asText()).isEqualTo("QUEUED");
            for (String event : new String[] {"run_in_progress", "run_succeeded"}) {
                assertThat(one.post("/agent/events/" + run, "{\"event_type\":\"" + event + "\"}").status()).isLessThan(300);
                assertThat(read(two, run).get("state").asText())
                        .isEqualTo(event.equals("run_in_progress") ? "INPROGRESS" : "SUCCEEDED");
            }
        }
    }
}
