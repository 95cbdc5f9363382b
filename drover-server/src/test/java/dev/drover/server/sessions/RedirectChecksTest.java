package dev.drover.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.RawHttp;
import dev.drover.server.testing.TestServer;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The two redirect checks the SDK sends without an {@code Authorization} header, over raw HTTP exactly as it sends
 * them: answered without a key, and then — as to another team, or for an unknown id — with the same bytes, so no
 * answer tells whether an id exists. Only a caller who sees the run learns where to go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RedirectChecksTest {
    abstract Backend backend();

    TestServer server;
    Api owner;
    Api stranger;
    RawHttp http;

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        owner = server.admin();
        stranger = server.newTenant("redirects-" + UUID.randomUUID());
        URI uri = URI.create(server.apiBaseUrl());
        http = new RawHttp(uri.getHost(), uri.getPort());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private RawHttp.Reply keyless(String path) {
        return http.send("GET", "/api/v1" + path, Map.of(), null);
    }

    private RawHttp.Reply withKey(String path, Api as) {
        return http.send("GET", "/api/v1" + path, Map.of("Authorization", "Bearer " + as.key()), null);
    }

    private static void assertEmpty(RawHttp.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.body()).isEqualTo("{}");
    }

    @Test
    void aConversationRedirectsToTheLiveSessionOfItsNewestRunForItsOwnerAndToNobodyElse() {
        JsonNode run = owner.get("/agent/runs/" + owner.createRun(Map.of("prompt", "live",
                "config", Map.of("worker_host", "idle")))).json();
        String path = "/agent/conversations/" + run.get("conversation_id").asText() + "/redirect";

        RawHttp.Reply mine = withKey(path, owner);
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.body()).isEqualTo("{\"session_id\":\"" + run.get("session_id").asText() + "\"}");

        assertEmpty(keyless(path));
        assertEmpty(withKey(path, stranger));
        assertEmpty(keyless("/agent/conversations/" + UUID.randomUUID() + "/redirect"));
        assertEmpty(withKey("/agent/conversations/" + UUID.randomUUID() + "/redirect", stranger));
        assertEmpty(keyless("/agent/conversations/not-a-uuid/redirect"));

        // once the run has ended there is no live session to go to
        owner.post("/agent/runs/" + run.get("run_id").asText() + "/cancel", (String) null);
        assertEmpty(withKey(path, owner));
    }

    @Test
    void aSessionRedirectAnswersWithoutAKeyAsForAnUnknownSession() {
        String id = owner.createRun(Map.of("prompt", "ended", "config", Map.of("worker_host", "idle")));
        owner.post("/agent/runs/" + id + "/cancel", (String) null);
        JsonNode run = owner.get("/agent/runs/" + id).json();
        String path = "/agent/sessions/" + run.get("session_id").asText() + "/redirect";

        RawHttp.Reply mine = withKey(path, owner);
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.body()).contains("\"conversation_id\":\"" + run.get("conversation_id").asText() + "\"");

        RawHttp.Reply anonymous = keyless(path);
        assertEmpty(anonymous);
        assertEmpty(withKey(path, stranger));
        RawHttp.Reply unknown = keyless("/agent/sessions/" + UUID.randomUUID() + "/redirect");
        assertEmpty(unknown);
        assertThat(anonymous.body()).isEqualTo(unknown.body());
    }

    @Test
    void onlyTheTwoRedirectChecksGoWithoutAKeyAndAWrongKeyIsStillRefused() {
        String conversation = owner.get("/agent/runs/" + owner.createRun(Map.of("prompt", "p",
                "config", Map.of("worker_host", "idle")))).json().get("conversation_id").asText();
        assertThat(keyless("/agent/conversations/" + conversation).status()).isEqualTo(401);
        assertThat(keyless("/agent/conversations/" + conversation + "/redirect/more").status()).isEqualTo(401);
        assertThat(http.send("POST", "/api/v1/agent/conversations/" + conversation + "/redirect", Map.of(), new byte[0])
                .status()).isEqualTo(401);
        assertThat(http.send("GET", "/api/v1/agent/conversations/" + conversation + "/redirect",
                Map.of("Authorization", "Bearer drv_wrong"), null).status()).isEqualTo(401);
    }
}
