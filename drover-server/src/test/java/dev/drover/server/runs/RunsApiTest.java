package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The runs endpoints against a real server; subclassed once per database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunsApiTest {
    TestServer server;
    Api api;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend());
        api = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void aCreatedRunIsQueuedAndReadableWithEveryField() {
        Api.Reply created = api.post("/agent/runs", Map.of("prompt", "Fix the bug in auth.go\nmore detail",
                "config", Map.of("name", "nightly", "base_prompt", "be careful", "idle_timeout_minutes", 5)));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode c = created.json();
        assertThat(c.get("state").asText()).isEqualTo("QUEUED");
        assertThat(c.get("task_id").asText()).isEqualTo(c.get("run_id").asText());
        assertThat(c.get("at_capacity").asBoolean()).isFalse();

        Api.Reply got = api.get("/agent/runs/" + c.get("run_id").asText());
        assertThat(got.status()).isEqualTo(200);
        JsonNode run = got.json();
        assertThat(run.get("title").asText()).isEqualTo("Fix the bug in auth.go");
        assertThat(run.get("prompt").asText()).isEqualTo("Fix the bug in auth.go\nmore detail");
        assertThat(run.get("agent_config").get("name").asText()).isEqualTo("nightly");
        assertThat(run.get("agent_config").get("idle_timeout_minutes").asInt()).isEqualTo(5);
        assertThat(run.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(run.get("creator").get("type").asText()).isEqualTo("user");
        assertThat(run.get("source").asText()).isEqualTo("API");
        assertThat(run.get("execution_location").asText()).isEqualTo("REMOTE");
        assertThat(run.get("session_link").asText()).startsWith(server.server().publicUrl() + "/sessions/");
        assertThat(run.get("conversation_id").asText()).hasSize(36);
        assertThat(run.get("is_sandbox_running").asBoolean()).isFalse();
    }

    @Test
    void aRunWithoutPromptOrSkillIsAProblemNamingPrompt() {
        Api.Reply r = api.post("/agent/runs", Map.of("title", "nothing to do"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).startsWith("prompt:");
        assertThat(r.json().get("type").asText()).endsWith("/invalid_request");
    }
}
