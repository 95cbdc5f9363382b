package dev.drover.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.api.RunEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EncodedEventsTest {
    private static RunEvent event(String runId, long sequence) {
        return new RunEvent("run_in_progress", runId, null, "exec-" + sequence, Instant.parse("2026-12-02T04:00:00Z"),
                sequence);
    }

    @Test
    void anEventSentToManyStreamsIsEncodedOnce() {
        EventsService.EncodedEvents encoded = new EventsService.EncodedEvents(8);
        RunEvent e = event("run-a", 42);
        String first = encoded.json(e);
        for (int stream = 0; stream < 100; stream++) {
            assertThat(encoded.json(e)).isSameAs(first);
        }
    }

    @Test
    void eventsSharingASlotEachGetTheirOwnJson() throws Exception {
        EventsService.EncodedEvents encoded = new EventsService.EncodedEvents(4);
        RunEvent older = event("run-of-one-tenant", 1);
        RunEvent newer = event("run-of-another-tenant", 5); // 5 mod 4 = 1 mod 4: the same slot
        encoded.json(older);
        JsonNode newerJson = Json.mapper().readTree(encoded.json(newer));
        JsonNode olderJson = Json.mapper().readTree(encoded.json(older));
        assertThat(newerJson.get("run_id").asText()).isEqualTo("run-of-another-tenant");
        assertThat(newerJson.get("sequence").asLong()).isEqualTo(5);
        assertThat(olderJson.get("run_id").asText()).isEqualTo("run-of-one-tenant");
        assertThat(olderJson.get("sequence").asLong()).isEqualTo(1);
        assertThat(olderJson.get("execution_id").asText()).isEqualTo("exec-1");
    }
}
