package dev.drover.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The shared-session redirect: empty while a run is live, its conversation once it has finished. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionsApiTest {
    TestServer server;
    Api api;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        api = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Api.Reply redirect(Api as, String session) {
        Api.Reply r = as.get("/agent/sessions/" + session + "/redirect");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        return r;
    }

    @Test
    void aSessionRedirectsToItsConversationOnlyOnceTheRunHasFinished() {
        String run = api.createRun("session");
        JsonNode item = api.get("/agent/runs/" + run).json();
        String session = item.get("session_id").asText();
        JsonNode queued = redirect(api, session).json();
        assertThat(queued.has("conversation_id")).as("QUEUED: no redirect").isFalse();
        assertThat(queued.get("run_id").asText()).as("a key that sees the run finds it").isEqualTo(run);

        assertThat(api.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
        JsonNode finished = redirect(api, session).json();
        assertThat(finished.size()).isEqualTo(2);
        assertThat(finished.get("conversation_id").asText()).isEqualTo(item.get("conversation_id").asText());
    }

    @Test
    void aContinuedConversationRedirectsEachFinishedSessionToTheSameConversation() {
        String first = api.createRun("first");
        api.post("/agent/runs/" + first + "/cancel", (String) null);
        String conversation = api.get("/agent/runs/" + first).json().get("conversation_id").asText();
        String second = api.post("/agent/runs", Map.of("prompt", "again", "conversation_id", conversation)).json()
                .get("run_id").asText();
        String secondSession = api.get("/agent/runs/" + second).json().get("session_id").asText();
        assertThat(secondSession).isNotEqualTo(api.get("/agent/runs/" + first).json().get("session_id").asText());
        assertThat(redirect(api, secondSession).json().has("conversation_id")).isFalse();
        api.post("/agent/runs/" + second + "/cancel", (String) null);
        assertThat(redirect(api, secondSession).json().get("conversation_id").asText()).isEqualTo(conversation);
    }

    @Test
    void unknownAndForeignSessionsAnswerEmptyNeverNotFound() {
        String run = api.createRun("mine");
        String session = api.get("/agent/runs/" + run).json().get("session_id").asText();
        api.post("/agent/runs/" + run + "/cancel", (String) null);
        assertThat(redirect(api, session).json().has("conversation_id")).isTrue();

        Api stranger = server.newTenant("s-" + UUID.randomUUID());
        assertThat(redirect(stranger, session).body()).as("foreign").isEqualTo("{}");
        for (String unknown : List.of(UUID.randomUUID().toString(), "nonsense", run)) {
            assertThat(redirect(api, unknown).body()).as(unknown).isEqualTo("{}");
        }
        // the SDK asks without a key: answered, as for an unknown session (RedirectChecksTest)
        Api.Reply anonymous = server.anonymous().get("/agent/sessions/" + session + "/redirect");
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.body()).isEqualTo("{}");
    }

    @Test
    void theSessionLinkServesALivePageThatRevealsNothingOfTheRunWithoutAKey() {
        String title = "confidential-" + UUID.randomUUID();
        String run = api.createRun(title);
        JsonNode item = api.get("/agent/runs/" + run).json();
        Api web = new Api("", null);
        Api.Reply page = web.get(item.get("session_link").asText());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).startsWith("text/html");
        String session = item.get("session_id").asText();
        // the link is shared like a capability: whoever has it learns the session exists, nothing about the run
        assertThat(page.body()).contains("data-session-id=\"" + session + "\"").contains(server.apiBaseUrl())
                .doesNotContain(run).doesNotContain(title).doesNotContain("{{");
        assertThat(web.get(server.server().publicUrl() + "/sessions/" + UUID.randomUUID()).status()).isEqualTo(404);
    }
}
