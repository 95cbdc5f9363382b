package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Follow-ups end to end ({@code POST /agent/runs/{runId}/followups}): a real server and worker, a scripted model.
 * An ended run takes another turn in the workspace its first turn left, with the conversation so far; a running
 * run's agent receives the message at its next step; a BLOCKED run is answered by a person.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FollowupsEndToEndTest {
    TestServer server;
    ScriptedModelServer model;
    Worker worker;
    Api user;
    Path work;

    abstract Backend backend();

    @BeforeAll
    void start() throws IOException {
        model = new ScriptedModelServer();
        server = TestServer.start(backend(), backend().freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
        user = server.admin();
        work = Files.createTempDirectory("drover-followups-");
        Api key = server.newWorkerKey("followups-" + UUID.randomUUID());
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "followups", "fu-pool", 2, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null)
                .withIsolation(IsolationSettings.of("none"))).start();
    }

    @AfterAll
    void stop() {
        worker.close();
        server.close();
        model.close();
    }

    private String start(String prompt, boolean interactive) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", prompt, "interactive", interactive,
                "config", Map.of("worker_host", "fu-pool", "model_id", "gpt-5-mini")));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private JsonNode awaitState(String run, String state) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                user.get("/agent/runs/" + run).json().get("state").asText().matches(state + "|SUCCEEDED|FAILED|ERROR|BLOCKED|CANCELLED"));
        JsonNode now = user.get("/agent/runs/" + run).json();
        assertThat(now.get("state").asText()).as(now.toString()).isEqualTo(state);
        return now;
    }

    private Api.Reply followUp(String run, String message) {
        return user.post("/agent/runs/" + run + "/followups", Map.of("message", message));
    }

    /** The model's requests for the agent whose prompt mentions {@code marker}, in order. */
    private List<String> requestsOf(String marker) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : model.requests) {
            if (ScriptedModelServer.firstUserMessage(r).contains(marker)) {
                out.add(r.get("messages").toString());
            }
        }
        return out;
    }

    private List<JsonNode> events(String run) {
        List<JsonNode> out = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run + "&limit=500").json().forEach(out::add);
        return out;
    }

    @Test
    void anEndedRunTakesAnotherTurnInItsOwnWorkspaceWithTheEarlierConversationAndSucceeds() {
        model.whenPromptMentions("TURNS")
                .thenCall("write_file", Map.of("path", "notes.txt", "content", "written by turn one"))
                .thenCall("finish", Map.of("success", true, "summary", "first turn done"))
                .thenCall("run_shell", Map.of("command", "cat notes.txt"))
                .thenCall("finish", Map.of("success", true, "summary", "second turn done"));
        String run = start("TURNS: write the notes", false);
        JsonNode first = awaitState(run, "SUCCEEDED");

        Api.Reply r = followUp(run, "Now read the notes back");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).isEqualTo("handoff_execution");
        assertThat(r.json().get("followup_id").asText()).isNotBlank();
        assertThat(r.json().get("state").asText()).isEqualTo("QUEUED");

        JsonNode second = awaitState(run, "SUCCEEDED");
        assertThat(second.get("status_message").get("message").asText()).isEqualTo("second turn done");
        assertThat(second.get("conversation_id").asText()).isEqualTo(first.get("conversation_id").asText());
        assertThat(second.get("started_at").asText()).isEqualTo(first.get("started_at").asText());

        List<String> asked = requestsOf("TURNS");
        assertThat(asked).hasSize(4);
        // the second turn's first request: the earlier turn, then the follow-up as what the user says now
        assertThat(asked.get(2)).contains("TURNS: write the notes").contains("write_file")
                .contains("Now read the notes back");
        // the file the first turn wrote was still in the workspace
        assertThat(asked.get(3)).contains("written by turn one");

        // one transcript, continued: the follow-up is a user message after the first turn's messages
        JsonNode steps = user.get("/agent/runs/" + run + "/conversation").json().get("steps");
        assertThat(steps).hasSize(1);
        List<String> users = new ArrayList<>();
        for (JsonNode m : steps.get(0).get("messages")) {
            if (m.get("role").asText().equals("user")) {
                users.add(m.get("content").get(0).get("text").asText());
            }
        }
        assertThat(users).containsExactly("TURNS: write the notes", "Now read the notes back");

        // events: the turn's own lifecycle again, after run_continued, under a new execution
        List<String> types = events(run).stream().map(e -> e.get("event_type").asText()).toList();
        int continued = types.indexOf("run_continued");
        assertThat(continued).isPositive();
        assertThat(types.subList(0, continued)).contains("run_succeeded");
        assertThat(types.subList(continued, types.size())).containsSubsequence("run_pending", "run_claimed",
                "run_in_progress", "run_succeeded");
        List<String> executions = events(run).stream().filter(e -> e.get("event_type").asText().equals("run_in_progress"))
                .map(e -> e.get("execution_id").asText()).toList();
        assertThat(executions).hasSize(2).doesNotHaveDuplicates();

    }

    @Test
    void aRunningRunsAgentSeesAFollowUpAtItsNextStep() {
        model.whenPromptMentions("LIVE")
                .thenHang(Duration.ofSeconds(2), "run_shell", Map.of("command", "echo working"))
                .thenCall("finish", Map.of("success", true, "summary", "done with the extra"));
        String run = start("LIVE: do some work", false);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> model.hanging.stream().anyMatch(p -> p.contains("LIVE")));

        Api.Reply r = followUp(run, "Also add a greeting");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).isEqualTo("live_session");
        assertThat(r.json().get("state").asText()).isEqualTo("INPROGRESS");

        awaitState(run, "SUCCEEDED");
        List<String> asked = requestsOf("LIVE");
        assertThat(asked).hasSize(2);
        assertThat(asked.get(0)).doesNotContain("Also add a greeting");
        assertThat(asked.get(1)).contains("echo working").contains("Also add a greeting");
        // it reached the agent: read, so the run was not continued for it
        assertThat(events(run).stream().map(e -> e.get("event_type").asText())).doesNotContain("run_continued");
    }

    @Test
    void aFollowUpAHarnessCannotTakeMidTurnContinuesTheRunWhenItsTurnEnds() {
        // a command harness reads its task once, at the start: the follow-up sent while it runs stays unread, so the
        // end of the turn continues the run for it (same transaction) and the next turn gets it in the same workspace
        String command = "read line; case \"$line\" in *again*) echo \"turn two: $line, found $(cat turn1.txt)\";; "
                + "*) echo kept > turn1.txt; sleep 3; echo \"turn one: $line\";; esac";
        Api.Reply created = user.post("/agent/runs", Map.of("prompt", "CMD start", "config", Map.of("worker_host",
                "fu-pool", "harness", Map.of("type", "command", "command", command))));
        String run = created.json().get("run_id").asText();
        // the harness has taken its task once it wrote it to the transcript; a follow-up sent before that (even
        // while the run is INPROGRESS) is taken with the prompt, and would not make a second turn
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<String> types = events(run).stream().map(e -> e.get("event_type").asText()).toList();
            int started = types.indexOf("run_in_progress");
            return started >= 0 && types.subList(started, types.size()).contains("transcript_appended");
        });
        Api.Reply r = followUp(run, "do it again");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).isEqualTo("live_session");

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(events(run).stream().filter(e -> e.get("event_type").asText().equals("run_succeeded")))
                        .as(() -> user.get("/agent/runs/" + run).json() + "\n" + events(run)).hasSize(2));
        JsonNode done = user.get("/agent/runs/" + run).json();
        assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.get("status_message").get("message").asText()).contains("turn two: do it again, found kept");
        List<String> types = events(run).stream().map(e -> e.get("event_type").asText()).toList();
        assertThat(types).containsSubsequence("run_in_progress", "new_message", "run_succeeded", "run_continued",
                "run_in_progress", "run_succeeded");
    }

    @Test
    void aBlockedRunIsAnsweredByAPersonAndGoesOn() {
        model.whenPromptMentions("ASK")
                .thenCall("ask_user", Map.of("question", "Which file should I greet in?"))
                .thenCall("write_file", Map.of("path", "greeting.txt", "content", "hi"))
                .thenCall("finish", Map.of("success", true, "summary", "greeted"));
        String run = start("ASK: greet someone", true);
        awaitState(run, "BLOCKED");

        Api.Reply r = followUp(run, "Use greeting.txt");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).isEqualTo("handoff_execution");
        awaitState(run, "SUCCEEDED");
        List<String> asked = requestsOf("ASK");
        assertThat(asked.get(1)).contains("Which file should I greet in?").contains("Use greeting.txt");
    }
}
