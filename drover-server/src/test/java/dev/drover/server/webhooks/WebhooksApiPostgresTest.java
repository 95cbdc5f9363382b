package dev.drover.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WebhooksApiPostgresTest extends WebhooksApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    /** Both nodes run both passes; SKIP LOCKED claims and the per-webhook cursor keep them from sending anything twice. */
    @Test
    void twoNodesOnOneDatabaseSendEveryDeliveryOnceBetweenThem() throws InterruptedException {
        try (TestServer second = TestServer.start(backend(), config)) {
            Api one = server.newTenant("webhooks-two-nodes");
            Api two = new Api(second.apiBaseUrl(), one.key());
            Api.Reply created = one.post("/webhooks", Map.of("url", receiver.url("/two-nodes"),
                    "event_types", List.of("run_queued", "run_in_progress", "run_succeeded")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            for (int i = 0; i < 10; i++) {
                Api node = i % 2 == 0 ? one : two;
                Api.Reply r = node.post("/agent/runs", "{\"prompt\":\"local\"}",
                        Map.of("X-Drover-Execution-Location", "LOCAL"));
                String run = r.json().get("run_id").asText();
                node.post("/agent/events/" + run, "{\"event_type\":\"run_in_progress\"}");
                (i % 3 == 0 ? one : two).post("/agent/events/" + run, "{\"event_type\":\"run_succeeded\"}");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received("/two-nodes").size() >= 30);
            Thread.sleep(1000);
            List<WebhookReceiver.Received> got = receiver.received("/two-nodes");
            assertThat(got).hasSize(30);
            assertThat(got.stream().map(WebhookReceiver.Received::id).collect(Collectors.toSet())).hasSize(30);
            assertThat(got.stream().map(g -> g.json().at("/data/event/sequence").asLong()).collect(Collectors.toSet()))
                    .hasSize(30);
        }
    }
}
