package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The built-in agent loop end to end: a real server and worker, a scripted OpenAI-compatible model. */
class OzHarnessEndToEndTest {

    @Test
    void theModelEditsAFileThroughToolsPublishesItAndTheRunSucceeds() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
                ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("write_file", Map.of("path", "hello.txt", "content", "hello from the model"))
                    .thenCall("run_shell", Map.of("command", "cat hello.txt && mkdir -p .drover/artifacts && cp hello.txt .drover/artifacts/"))
                    .thenCall("read_file", Map.of("path", "../../etc/passwd"))
                    .thenCall("finish", Map.of("success", true, "summary", "Wrote hello.txt"));
            Api key = server.newWorkerKey("oz-" + UUID.randomUUID());
            Path work = Files.createTempDirectory("drover-oz-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "oz", "oz-pool", 1, work,
                    WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start()) {
                Api user = server.admin();
                String run = user.post("/agent/runs", Map.of("prompt", "Create hello.txt", "config",
                        Map.of("worker_host", "oz-pool", "model_id", "gpt-5-mini", "base_prompt", "Be brief."))).json()
                        .get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
                JsonNode done = user.get("/agent/runs/" + run).json();
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("status_message").get("message").asText()).isEqualTo("Wrote hello.txt");
                assertThat(done.get("artifacts").get(0).get("data").get("filename").asText()).isEqualTo("hello.txt");
                // 4 calls of 100 input and 20 output tokens at gpt-5-mini's $0.25 and $2.00 per million
                JsonNode usage = done.get("request_usage");
                assertThat(usage.get("input_tokens").asLong()).isEqualTo(400);
                assertThat(usage.get("output_tokens").asLong()).isEqualTo(80);
                assertThat(usage.get("inference_cost_usd").asDouble()).isCloseTo(0.00026, org.assertj.core.data.Offset.offset(1e-9));

                assertThat(model.requests).hasSize(4);
                JsonNode first = model.requests.getFirst();
                assertThat(first.get("model").asText()).isEqualTo("gpt-5-mini");
                assertThat(first.get("messages").get(0).get("content").asText()).contains("Be brief.");
                assertThat(first.get("tools").findValuesAsText("name")).contains("run_shell", "read_file", "write_file", "finish");
                String second = model.requests.get(1).get("messages").toString();
                assertThat(second).contains("wrote hello.txt");
                String third = model.requests.get(2).get("messages").toString();
                assertThat(third).contains("hello from the model");
                assertThat(model.requests.get(3).get("messages").toString()).contains("outside the workspace");

                JsonNode messages = Transcripts.withoutIsolationNote(user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages"));
                List<String> actions = new ArrayList<>();
                for (JsonNode m : messages) {
                    for (JsonNode block : m.get("content")) {
                        if (block.get("type").asText().equals("action")) {
                            actions.add(block.get("name").asText());
                        }
                    }
                }
                assertThat(actions).containsExactly("write_file", "run_shell", "read_file", "finish");
                assertThat(messages.toString()).contains("action_result").contains("hello from the model");
            }
        }
    }

    @Test
    void aPlanModeRunCannotChangeTheWorkspaceAndItsPlanBecomesAPlanArtifact() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
                ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("write_file", Map.of("path", "changed.txt", "content", "should not exist"))
                    .thenCall("run_shell", Map.of("command", "touch ran.txt"))
                    .thenCall("list_files", Map.of("path", "."))
                    .thenCall("finish", Map.of("success", true, "summary", "1. Add a test. 2. Fix the bug."));
            Api key = server.newWorkerKey("plan-" + UUID.randomUUID());
            Path work = Files.createTempDirectory("drover-plan-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "plan", "plan-pool", 1, work,
                    WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start()) {
                Api user = server.admin();
                String run = user.post("/agent/runs", Map.of("prompt", "Plan the bug fix", "mode", "plan", "config",
                        Map.of("worker_host", "plan-pool", "model_id", "gpt-5-mini"))).json().get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
                JsonNode done = user.get("/agent/runs/" + run).json();
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                JsonNode plan = done.get("artifacts").get(0);
                assertThat(plan.get("artifact_type").asText()).isEqualTo("PLAN");
                String uid = plan.get("data").get("artifact_uid").asText();
                assertThat(user.get("/agent/artifacts/" + uid).json().get("data").get("content").asText())
                        .isEqualTo("1. Add a test. 2. Fix the bug.");
                try (var files = Files.walk(work)) {
                    assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("changed.txt", "ran.txt");
                }
                JsonNode first = model.requests.getFirst();
                assertThat(first.get("messages").get(0).get("content").asText()).contains("plan mode");
                assertThat(first.get("tools").findValuesAsText("name")).contains("read_file", "list_files",
                        "create_artifact", "finish").doesNotContain("write_file", "edit_file", "run_shell", "spawn_agent");
                assertThat(model.requests.get(1).get("messages").toString()).contains("not available in plan mode");
            }
        }
    }

    @Test
    void anOrchestrateModeRunIsToldToSplitTheWorkAmongChildRuns() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
                ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("spawn_agent", Map.of("prompt", "Do part one"))
                    .thenCall("finish", Map.of("success", true, "summary", "Started part one"));
            Api key = server.newWorkerKey("orch-" + UUID.randomUUID());
            Path work = Files.createTempDirectory("drover-orch-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "orch", "orch-pool", 1, work,
                    WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start()) {
                Api user = server.admin();
                String run = user.post("/agent/runs", Map.of("prompt", "Do both parts", "mode", "orchestrate", "config",
                        Map.of("worker_host", "orch-pool", "model_id", "gpt-5-mini"))).json().get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
                assertThat(model.requests.getFirst().get("messages").get(0).get("content").asText())
                        .contains("orchestrate mode");
                JsonNode children = user.get("/agent/runs?ancestor_run_id=" + run).json().get("runs");
                assertThat(children).hasSize(1);
                assertThat(children.get(0).get("source").asText()).isEqualTo("ORCHESTRATION");
            }
        }
    }

    @Test
    void anInteractiveRunEndsBlockedOnAQuestionAndAContinuationSeesTheConversation() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
                ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("ask_user", Map.of("question", "Which file should I greet in?"))
                    .thenCall("write_file", Map.of("path", "greeting.txt", "content", "hi"))
                    .thenCall("finish", Map.of("success", true, "summary", "Greeted in greeting.txt"));
            Api key = server.newWorkerKey("oz-" + UUID.randomUUID());
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "oz", "oz-pool", 1,
                    Files.createTempDirectory("drover-oz-"), WorkerConfig.DEFAULT_RUN_TIMEOUT,
                    WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start()) {
                Api user = server.admin();
                Map<String, Object> config = Map.of("worker_host", "oz-pool", "model_id", "gpt-5-mini");
                String first = user.post("/agent/runs", Map.of("prompt", "Greet someone", "interactive", true,
                        "config", config)).json().get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + first).json().get("state").asText().equals("BLOCKED"));
                JsonNode blocked = user.get("/agent/runs/" + first).json();
                assertThat(blocked.get("status_message").get("message").asText()).isEqualTo("Which file should I greet in?");
                assertThat(model.requests.getFirst().get("tools").findValuesAsText("name")).contains("ask_user");

                String second = user.post("/agent/runs", Map.of("prompt", "Use greeting.txt",
                        "conversation_id", blocked.get("conversation_id").asText(), "config", config)).json()
                        .get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + second).json().get("state").asText().equals("SUCCEEDED"));
                String context = model.requests.get(1).get("messages").toString();
                assertThat(context).contains("Greet someone").contains("Which file should I greet in?")
                        .contains("Use greeting.txt");
                assertThat(model.requests.get(1).get("tools").findValuesAsText("name")).doesNotContain("ask_user");
                assertThat(user.get("/agent/conversations/" + blocked.get("conversation_id").asText()).json()
                        .get("steps")).hasSize(2);
            }
        }
    }

    private static Worker ozWorker(TestServer server, ScriptedModelServer model, int slots) throws Exception {
        Api key = server.newWorkerKey("oz-" + UUID.randomUUID());
        return new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "oz", "default", slots,
                Files.createTempDirectory("drover-oz-"), WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(), Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start();
    }

    private static TestServer openAiServer() {
        return TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0)
                .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
    }

    @Test
    void aParentAgentSpawnsAChildThatRunsAsItsOwnRun() throws Exception {
        try (TestServer server = openAiServer(); ScriptedModelServer model = new ScriptedModelServer()) {
            model.whenPromptMentions("CHILD-TASK").thenCall("finish", Map.of("success", true, "summary", "child done"));
            model.whenPromptMentions("PARENT-TASK")
                    .thenCall("spawn_agent", Map.of("prompt", "CHILD-TASK: say hi", "title", "the child"))
                    .thenCall("finish", Map.of("success", true, "summary", "parent done"));
            try (Worker worker = ozWorker(server, model, 2)) {
                Api user = server.admin();
                String parent = user.post("/agent/runs", Map.of("prompt", "PARENT-TASK: delegate")).json().get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs?ancestor_run_id=" + parent).json().get("runs").size() == 1);
                JsonNode child = user.get("/agent/runs?ancestor_run_id=" + parent).json().get("runs").get(0);
                assertThat(child.get("parent_run_id").asText()).isEqualTo(parent);
                assertThat(child.get("title").asText()).isEqualTo("the child");
                assertThat(child.get("creator").get("email").asText()).as("the agent acts as its run's creator")
                        .isEqualTo("admin@drover.local");
                String childId = child.get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + childId).json().get("state").asText().equals("SUCCEEDED")
                                && user.get("/agent/runs/" + parent).json().get("state").asText().equals("SUCCEEDED"));
                JsonNode events = user.get("/agent/events?run_ids=" + parent).json();
                assertThat(events.findValuesAsText("event_type")).contains("child_agent_started");
                assertThat(events.findValuesAsText("ref_id")).contains(childId);
                String childContext = model.requests.stream()
                        .filter(r -> ScriptedModelServer.firstUserMessage(r).contains("CHILD-TASK"))
                        .map(JsonNode::toString).findFirst().orElseThrow();
                assertThat(childContext).contains("it was started by run " + parent);
            }
        }
    }

    @Test
    void anAgentSendsAndReadsMessagesAsItsOwnRun() throws Exception {
        try (TestServer server = openAiServer(); ScriptedModelServer model = new ScriptedModelServer()) {
            Api user = server.admin();
            String peer = user.post("/agent/runs", Map.of("prompt", "a peer that waits elsewhere",
                    "config", Map.of("worker_host", "nobody"))).json().get("run_id").asText();
            model.thenCall("send_message", Map.of("to", List.of(peer), "subject", "status", "body", "halfway there"))
                    .thenCall("run_shell", Map.of("command", "sleep 1"))
                    .thenCall("read_inbox", Map.of())
                    .thenCall("finish", Map.of("success", true, "summary", "talked"));
            try (Worker worker = ozWorker(server, model, 1)) {
                String run = user.post("/agent/runs", Map.of("prompt", "talk to your peer")).json().get("run_id").asText();
                user.post("/agent/messages", Map.of("to", List.of(run), "subject", "hello", "body", "the answer is 42",
                        "sender_run_id", peer));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().equals("SUCCEEDED"));
                JsonNode inbox = user.get("/agent/messages/" + peer).json();
                assertThat(inbox).hasSize(1);
                assertThat(inbox.get(0).get("sender_run_id").asText()).isEqualTo(run);
                assertThat(model.requests.get(3).get("messages").toString()).contains("the answer is 42");
                assertThat(user.get("/agent/messages/" + run + "?unread=true").json()).as("read by the agent").isEmpty();
            }
        }
    }

    @Test
    void aRunThatSpendsItsBudgetIsStoppedFailedWithBudgetExceeded() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
                ScriptedModelServer model = new ScriptedModelServer()) {
            model.thenCall("run_shell", Map.of("command", "true")).thenCall("run_shell", Map.of("command", "true"))
                    .thenCall("finish", Map.of("success", true, "summary", "never reached"));
            Api key = server.newWorkerKey("oz-" + UUID.randomUUID());
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "oz", "oz-pool", 1,
                    Files.createTempDirectory("drover-oz-"), WorkerConfig.DEFAULT_RUN_TIMEOUT,
                    WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), null).withIsolation(IsolationSettings.of("none"))).start()) {
                Api user = server.admin();
                // each call costs $0.000065; the second crosses $0.0001
                String run = user.post("/agent/runs", Map.of("prompt", "spend", "config",
                        Map.of("worker_host", "oz-pool", "model_id", "gpt-5-mini", "budget_usd", 0.0001))).json()
                        .get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().equals("FAILED"));
                JsonNode status = user.get("/agent/runs/" + run).json().get("status_message");
                assertThat(status.get("error_code").asText()).isEqualTo("budget_exceeded");
                assertThat(model.requests).hasSize(2);
                assertThat(user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("budget_usd", -1)))
                        .json().get("detail").asText()).startsWith("config.budget_usd:");
            }
        }
    }
}
