package dev.drover.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.net.ServerSocket;
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

    @Test
    void theHomePageIsTheDashboardsRunsList() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            Api.Reply home = new Api(server.server().publicUrl(), null).get("/");
            assertThat(home.status()).isEqualTo(200);
            assertThat(home.header("content-type")).startsWith("text/html");
            Api.Reply runs = new Api(server.server().publicUrl(), null).get("/runs");
            assertThat(runs.header("content-type")).startsWith("text/html");
            assertThat(runs.body()).contains("/api/v1/openapi.json");
        }
    }

    @Test
    void unknownPathsInsideAndOutsideTheApiAreProblemJson404s() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            Api root = new Api(server.server().publicUrl(), null);
            for (String path : new String[] {"/favicon.ico", "/nope", "/api/v1/../../etc/passwd", "/docs/errors/nonsense"}) {
                Api.Reply reply = root.get(path);
                assertThat(reply.status()).as(path).isEqualTo(404);
                assertThat(reply.header("content-type")).as(path).isEqualTo("application/problem+json");
                assertThat(reply.json().get("error").asText()).as(path).startsWith("Resource not found");
            }
            Api.Reply inApi = server.admin().get("/agent/nothing-here");
            assertThat(inApi.status()).isEqualTo(404);
            assertThat(inApi.json().get("detail").asText()).isEqualTo("path: no endpoint GET /api/v1/agent/nothing-here");
            Api.Reply wrongMethod = server.admin().delete("/agent/models");
            assertThat(wrongMethod.status()).isBetween(404, 405);
            assertThat(wrongMethod.header("content-type")).isEqualTo("application/problem+json");
        }
    }

    @Test
    void aServerWhosePortIsTakenRefusesToStartSayingSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> TestServer.start(Backend.SQLITE,
                    Backend.SQLITE.freshConfig().withPort(taken.getLocalPort())).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
