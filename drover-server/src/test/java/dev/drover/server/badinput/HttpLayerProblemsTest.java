package dev.drover.server.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.RawHttp;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the web server refuses before any route runs is answered like every other error: problem+json with the
 * web server's status and a detail naming the part of the request at fault, and nothing logged at ERROR. (The
 * database plays no part here, so SQLite only.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpLayerProblemsTest {
    private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TestServer.ADMIN_KEY);
    TestServer server;
    RawHttp http;
    ErrorLog errors;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE);
        URI uri = URI.create(server.apiBaseUrl());
        http = new RawHttp(uri.getHost(), uri.getPort());
        errors = new ErrorLog();
    }

    @AfterAll
    void stop() {
        errors.close();
        server.close();
    }

    private JsonNode problem(RawHttp.Reply reply, int status, String detailStart) throws IOException {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("content-type")).as(reply.toString()).startsWith("application/problem+json");
        JsonNode json = Json.mapper().readTree(reply.body());
        assertThat(json.get("status").asInt()).isEqualTo(status);
        assertThat(json.get("detail").asText()).startsWith(detailStart);
        assertThat(json.get("type").asText()).contains("/docs/errors/");
        assertThat(errors.drain()).as("logged at ERROR").isEmpty();
        return json;
    }

    @Test
    void aMalformedPercentEscapeInThePathIsA400NamingThePath() throws IOException {
        problem(http.send("GET", "/api/v1/agent/runs/%ZZ", AUTH, null), 400, "path: malformed percent-escape");
    }

    @Test
    void aMalformedPercentEscapeInTheQueryIsA400SayingSo() throws IOException {
        problem(http.send("GET", "/api/v1/agent/runs?limit=%G1", AUTH, null), 400, "request: a malformed percent-escape");
    }

    @Test
    void aUriOverTheWebServersLimitIsA414NamingThePath() throws IOException {
        problem(http.send("GET", "/api/v1/agent/runs?q=" + "x".repeat(20_000), AUTH, null), 414, "path: ");
    }

    @Test
    void aSixtyKilobyteHeaderIsA400SayingHeadersAreLimited() throws IOException {
        // Helidon refuses headers over its limit as a 400 without saying which limit (it may not be a 431)
        JsonNode json = problem(http.send("GET", "/api/v1/agent/runs", Map.of("X-Big", "y".repeat(60 * 1024)), null),
                400, "request: ");
        assertThat(json.get("detail").asText()).contains("headers that are malformed or larger");
    }

    @Test
    void aBodyOverThePayloadLimitIsA413NamingTheBody() throws IOException {
        byte[] body = new byte[64 * 1024 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        problem(http.send("POST", "/api/v1/agent/runs", Map.of("Authorization", "Bearer " + TestServer.ADMIN_KEY,
                "Content-Type", "application/json"), body), 413, "body: ");
    }

    @Test
    void anUnknownContentEncodingIsRefusedAsAProblem() throws IOException {
        RawHttp.Reply reply = http.send("POST", "/api/v1/agent/runs", Map.of("Authorization", "Bearer "
                + TestServer.ADMIN_KEY, "Content-Type", "application/json", "Content-Encoding", "bogus"),
                "{\"prompt\": \"p\"}".getBytes(StandardCharsets.UTF_8));
        problem(reply, 400, "Content-Encoding: ");
        assertThat(server.admin().get("/agent/runs").json().get("runs")).as("no run was created").isEmpty();
    }

    @Test
    void aMalformedRequestLineIsA400Problem() throws IOException {
        problem(http.send("GET", "/api/v1/agent/runs HTTP/1.1 extra", AUTH, null), 400, "request: malformed request line");
    }

    @Test
    void aTraversalOutOfTheApiPathAsIsIsA404() throws IOException {
        problem(http.send("GET", "/api/v1/../../../etc/passwd", AUTH, null), 404, "path: ");
    }

    @Test
    void aNulInAnIdOfThePathIsA400NamingThePath() throws IOException {
        problem(http.send("GET", "/api/v1/agent/runs/a%00b", AUTH, null), 400, "path: ");
    }

    @Test
    void aTrailingSlashAndAnEscapedSlashInAnIdAre404s() throws IOException {
        problem(http.send("GET", "/api/v1/agent/runs/", AUTH, null), 404, "path: ");
        for (String id : List.of("a%2Fb", "%2F")) {
            RawHttp.Reply reply = http.send("GET", "/api/v1/agent/runs/" + id, AUTH, null);
            assertThat(reply.status()).as(reply.toString()).isEqualTo(404);
            assertThat(reply.header("content-type")).startsWith("application/problem+json");
        }
        assertThat(errors.drain()).isEmpty();
    }
}
