package dev.drover.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The shared-session redirect: empty while a run is live, its conversation once it has finished. */
class SessionsApiTest {

    @Test
    void aSessionRedirectsToItsConversationOnlyOnceTheRunHasFinished() {
        try (TestServer server = TestServer.start(Backend.SQLITE)) {
            Api api = server.admin();
            String run = api.createRun("session");
            var item = api.get("/agent/runs/" + run).json();
            String session = item.get("session_id").asText();
            assertThat(api.get("/agent/sessions/" + session + "/redirect").json().size()).isZero();
            api.post("/agent/runs/" + run + "/cancel", (String) null);
            assertThat(api.get("/agent/sessions/" + session + "/redirect").json().get("conversation_id").asText())
                    .isEqualTo(item.get("conversation_id").asText());
            Api stranger = server.newTenant("s-" + UUID.randomUUID());
            assertThat(stranger.get("/agent/sessions/" + session + "/redirect").json().size()).isZero();
            assertThat(api.get("/agent/sessions/" + UUID.randomUUID() + "/redirect").json().size()).isZero();
            assertThat(api.get("/agent/sessions/nonsense/redirect").status()).isEqualTo(200);

            Api web = new Api("", null);
            Api.Reply page = web.get(item.get("session_link").asText());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("content-type")).startsWith("text/html");
            assertThat(page.body()).contains("data-run-id=\"" + run + "\"")
                    .contains(server.apiBaseUrl()).doesNotContain("{{");
            assertThat(web.get(server.server().publicUrl() + "/sessions/" + UUID.randomUUID()).status()).isEqualTo(404);
        }
    }
}
