package dev.drover.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** The unauthenticated operational endpoints and the error pages problem types point to. */
class OpsTest {

    @Test
    void healthReadinessAndMetricsAnswerWithoutAKey() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            Api root = new Api(server.server().publicUrl(), null);
            assertThat(root.get("/healthz").status()).isEqualTo(200);
            Api.Reply ready = root.get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().get("database").asText()).isEqualTo("UP");
            server.admin().get("/agent/runs");
            Api.Reply metrics = root.get("/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("drover_http_requests_seconds_count").contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void readinessFailsWhenTheDatabaseIsGone() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            server.server().database().close();
            Api.Reply ready = new Api(server.server().publicUrl(), null).get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
        }
    }

    @Test
    void everyProblemTypeLinksToAPageThatExplainsIt() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            Api.Reply problem = server.anonymous().get("/agent/runs");
            assertThat(problem.status()).isEqualTo(401);
            String type = problem.json().get("type").asText();
            assertThat(type).isEqualTo(server.server().publicUrl() + "/docs/errors/authentication_required");
            Api.Reply page = new Api(server.server().publicUrl(), null).get("/docs/errors/authentication_required");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("Bearer");
        }
    }
}
