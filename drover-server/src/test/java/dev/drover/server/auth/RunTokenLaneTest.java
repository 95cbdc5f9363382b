package dev.drover.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A run-scoped token as an attacker holds it (the agent is hostile code): it may act on its own run and the runs
 * below it, create child runs, send and read its own messages and list models — and every other thing its creator
 * could do is refused. Each refusal here is the attack the issue found, or one next to it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunTokenLaneTest {
    abstract Backend backend();

    private TestServer server;
    private Api user;
    private Api workerKey;
    private String workerId;

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        user = server.admin();
        workerKey = server.newWorkerKey("lane-" + UUID.randomUUID());
        workerId = workerKey.post("/workers", Map.of("name", "lane", "pool", "lane")).json().get("worker_id").asText();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A run of the lane pool, claimed; returns the claim (run_token, execution_id). */
    private JsonNode claimed(String runId) {
        for (int i = 0; i < 10; i++) {
            Api.Reply r = workerKey.post("/workers/" + workerId + "/claim?wait=0&accept=true", (String) null);
            if (r.status() == 200 && r.json().get("run").get("run_id").asText().equals(runId)) {
                return r.json();
            }
        }
        throw new AssertionError("run " + runId + " was not claimed");
    }

    private String laneRun(Api as, String prompt) {
        return as.createRun(Map.of("prompt", prompt, "config", Map.of("worker_host", "lane")));
    }

    private record Agent(String runId, Api api) {}

    private Agent agent() {
        String run = laneRun(user, "agent " + UUID.randomUUID());
        return new Agent(run, new Api(server.apiBaseUrl(), claimed(run).get("run_token").asText()));
    }

    private String state(String run) {
        return user.get("/agent/runs/" + run).json().get("state").asText();
    }

    private static void assertRefused(Api.Reply r, int status, String what) {
        assertThat(r.status()).as(what + ": " + r).isEqualTo(status);
        assertThat(r.header("content-type")).as(what).startsWith("application/problem+json");
    }

    @Test
    void aRunTokenCannotReportLifecycleEventsForASiblingOrForItsOwnRun() {
        Agent agent = agent();
        String sibling = user.createRun("a sibling, queued");
        assertRefused(agent.api().post("/agent/events/" + sibling, "{\"event_type\":\"run_cancelled\"}"), 403,
                "cancelling a sibling by a reported event");
        assertThat(state(sibling)).isEqualTo("QUEUED");
        assertRefused(agent.api().post("/agent/events/" + agent.runId(), "{\"event_type\":\"run_in_progress\"}"), 403,
                "reporting for its own run (its worker does that)");
        assertThat(state(agent.runId())).isEqualTo("CLAIMED");
    }

    @Test
    void aRunTokenCannotTouchSchedulesEnvironmentsSkillsWorkersOrSessions() {
        Agent agent = agent();
        String environment = user.createEnvironment(Map.of("name", "the creator's " + UUID.randomUUID()));
        String schedule = Api.toJson(Map.of("name", "persist", "cron_schedule", "* * * * *", "prompt", "again"));
        assertRefused(agent.api().post("/agent/schedules", schedule), 403, "creating a schedule");
        assertRefused(agent.api().get("/agent/schedules"), 403, "listing schedules");
        assertRefused(agent.api().post("/agent/environments", Map.of("name", "mine now")), 403, "creating an environment");
        assertRefused(agent.api().put("/agent/environments/" + environment, Map.of("name", "hijacked")), 403,
                "replacing an environment");
        assertRefused(agent.api().delete("/agent/environments/" + environment), 403, "deleting an environment");
        assertRefused(agent.api().get("/agent/environments"), 403, "listing environments");
        assertRefused(agent.api().get("/agent"), 403, "listing skills");
        assertRefused(agent.api().get("/workers"), 403, "listing workers");
        assertRefused(agent.api().get("/agent/sessions/" + UUID.randomUUID() + "/redirect"), 403, "session redirects");
        assertThat(user.get("/agent/environments/" + environment).json().get("config").get("name").asText())
                .startsWith("the creator's");
        assertThat(user.get("/agent/schedules").json().get("schedules")).isEmpty();
    }

    @Test
    void aRunTokenCannotReadOrActOnRunsOutsideItsOwnAndItsChildren() {
        Agent agent = agent();
        String sibling = user.createRun("a sibling");
        // the creator's long-poll makes the node remember the sibling's owner, who is also the agent's principal:
        // the agent's long-poll must still be held to its lane
        assertThat(user.get("/agent/events?run_ids=" + sibling + "&wait=1").status()).isEqualTo(200);
        // and the creator's GET puts the sibling in the node's run cache: the agent's GET must not be answered from it
        assertThat(user.get("/agent/runs/" + sibling).status()).isEqualTo(200);
        for (String path : List.of("/agent/runs/" + sibling, "/agent/runs/" + sibling + "/conversation",
                "/agent/runs/" + sibling + "/transcript", "/agent/runs/" + sibling + "/diff",
                "/agent/events?run_ids=" + sibling, "/agent/events?run_ids=" + sibling + "&wait=1",
                "/agent/events?run_ids=" + agent.runId() + "," + sibling, "/agent/events/stream?run_ids=" + sibling,
                "/agent/runs?ancestor_run_id=" + sibling, "/agent/messages/" + sibling)) {
            assertRefused(agent.api().get(path), 404, "GET " + path);
        }
        assertRefused(agent.api().post("/agent/runs/" + sibling + "/cancel", (String) null), 404, "cancelling a sibling");
        // its own run's changes it may read; reporting them is its worker's business
        assertThat(agent.api().get("/agent/runs/" + agent.runId() + "/diff").json().get("repos")).isEmpty();
        assertRefused(agent.api().post("/workers/" + workerId + "/runs/" + agent.runId() + "/deliveries",
                Map.of("repository", "acme/web")), 403, "reporting a delivery of its own run");
        assertThat(state(sibling)).isEqualTo("QUEUED");
        // messaging is how agents coordinate: a sibling may be told something, as the agent's own run, and that is all
        assertThat(agent.api().post("/agent/messages", Map.of("to", List.of(sibling), "subject", "s", "body",
                "where are you?", "sender_run_id", agent.runId())).status()).isEqualTo(200);
        assertRefused(agent.api().post("/agent/messages", Map.of("to", List.of(agent.runId()), "subject", "s", "body",
                "b", "sender_run_id", sibling)), 404, "sending as a sibling");

        // a listing shows the runs below its own, never its creator's others
        String child = agent.api().createRun(Map.of("prompt", "a child", "parent_run_id", agent.runId()));
        List<String> listed = new ArrayList<>();
        agent.api().get("/agent/runs?limit=100").json().get("runs").forEach(r -> listed.add(r.get("run_id").asText()));
        assertThat(listed).containsExactly(child);
    }

    @Test
    void aRunTokenReadsOnlyItsOwnInboxAndMessages() {
        Agent agent = agent();
        String sibling = user.createRun("a sibling with mail");
        String toSibling = user.post("/agent/messages", Map.of("to", List.of(sibling), "subject", "secret",
                "body", "for the sibling only", "sender_run_id", sibling)).json().get("message_ids").get(0).asText();
        String toAgent = user.post("/agent/messages", Map.of("to", List.of(agent.runId()), "subject", "hi",
                "body", "for the agent", "sender_run_id", sibling)).json().get("message_ids").get(0).asText();
        assertRefused(agent.api().get("/agent/messages/" + sibling), 404, "a sibling's inbox");
        assertRefused(agent.api().post("/agent/messages/" + toSibling + "/read", (String) null), 404,
                "reading a sibling's message");
        assertRefused(agent.api().post("/agent/messages/" + toSibling + "/delivered", (String) null), 404,
                "marking a sibling's message");
        String child = agent.api().createRun(Map.of("prompt", "a child", "parent_run_id", agent.runId()));
        assertRefused(agent.api().get("/agent/messages/" + child), 404, "its child's inbox");

        assertThat(agent.api().get("/agent/messages/" + agent.runId()).json()).hasSize(1);
        assertThat(agent.api().post("/agent/messages/" + toAgent + "/read", (String) null).json().get("body").asText())
                .isEqualTo("for the agent");
    }

    @Test
    void aRunTokenCreatesOnlyChildRunsOfItsOwnLineInItsOwnConversationAndEnvironment() {
        Agent agent = agent();
        String sibling = user.createRun("a sibling");
        String siblingConversation = user.get("/agent/runs/" + sibling).json().get("conversation_id").asText();
        String environment = user.createEnvironment(Map.of("name", "creator-only " + UUID.randomUUID()));
        assertRefused(agent.api().post("/agent/runs", Map.of("prompt", "free-standing")), 403, "a run without parent");
        assertRefused(agent.api().post("/agent/runs", Map.of("prompt", "adopted", "parent_run_id", sibling)), 404,
                "a child of a sibling");
        assertRefused(agent.api().post("/agent/runs", Map.of("prompt", "eavesdrop", "parent_run_id", agent.runId(),
                "conversation_id", siblingConversation)), 404, "continuing a sibling's conversation");
        assertRefused(agent.api().post("/agent/runs", Map.of("prompt", "borrow", "parent_run_id", agent.runId(),
                "config", Map.of("environment_id", environment))), 404, "another environment of the creator");
        assertRefused(agent.api().post("/agent/runs", "{\"prompt\":\"local\",\"parent_run_id\":\"" + agent.runId() + "\"}",
                Map.of("X-Drover-Execution-Location", "LOCAL")), 403, "a LOCAL child it would drive itself");

        String child = agent.api().createRun(Map.of("prompt", "a child", "parent_run_id", agent.runId(),
                "config", Map.of("worker_host", "lane")));
        String grandchild = agent.api().createRun(Map.of("prompt", "below", "parent_run_id", child));
        assertThat(agent.api().get("/agent/runs/" + grandchild).status()).isEqualTo(200);
        assertThat(agent.api().post("/agent/runs/" + grandchild + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(agent.api().get("/agent/models").status()).isEqualTo(200);

        // the child's own agent may message its parent, but not read it
        Api childAgent = new Api(server.apiBaseUrl(), claimed(child).get("run_token").asText());
        assertThat(childAgent.post("/agent/messages", Map.of("to", List.of(agent.runId()), "subject", "done",
                "body", "finished", "sender_run_id", child)).status()).isEqualTo(200);
        assertRefused(childAgent.get("/agent/runs/" + agent.runId()), 404, "a child reading its parent");
        assertRefused(childAgent.get("/agent/messages/" + agent.runId()), 404, "a child reading its parent's inbox");
    }
}
