package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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
        Api api = server.newTenant("reader-" + UUID.randomUUID());
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

    @Test
    void theDeprecatedRunPathCreatesRunsToo() {
        Api.Reply r = api.post("/agent/run", Map.of("prompt", "via the old path"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(api.get("/agent/runs/" + r.json().get("run_id").asText()).json().get("prompt").asText())
                .isEqualTo("via the old path");
    }

    @Test
    void aLongPromptGetsATitleCutAtAWordBoundary() {
        String prompt = "Refactor the database layer so that every repository uses the same transaction helper and nothing else";
        JsonNode run = api.get("/agent/runs/" + api.createRun(prompt)).json();
        assertThat(run.get("title").asText()).endsWith("…").hasSizeLessThanOrEqualTo(81);
        assertThat(prompt).startsWith(run.get("title").asText().replace("…", ""));
    }

    @ParameterizedTest(name = "{0} is refused naming {1}")
    @MethodSource("badBodies")
    void badInputIsAProblemNamingTheField(String body, String field) {
        Api.Reply r = api.post("/agent/runs", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("detail").asText()).as(r.toString()).startsWith(field + ":");
        assertThat(p.get("status").asInt()).isEqualTo(400);
        assertThat(p.get("error").asText()).contains(field);
        assertThat(p.get("instance").asText()).isEqualTo("/api/v1/agent/runs");
    }

    static Stream<Arguments> badBodies() {
        String big = "x".repeat(300 * 1024);
        return Stream.of(
                Arguments.of("", "body"),
                Arguments.of("{not json", "body"),
                Arguments.of("[1,2]", "body"),
                Arguments.of("{\"prompt\": 42}", "prompt"),
                Arguments.of("{\"prompt\": \"" + big + "\"}", "prompt"),
                Arguments.of("{\"prompt\": \"p\", \"title\": \"" + "t".repeat(300) + "\"}", "title"),
                Arguments.of("{\"prompt\": \"p\", \"team\": \"yes\"}", "team"),
                Arguments.of("{\"prompt\": \"p\", \"interactive\": 1}", "interactive"),
                Arguments.of("{\"prompt\": \"p\", \"config\": []}", "config"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"idle_timeout_minutes\": 61}}", "config.idle_timeout_minutes"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"idle_timeout_minutes\": \"5\"}}", "config.idle_timeout_minutes"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"model_id\": \"no-such-model\"}}", "config.model_id"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"harness\": {\"type\": \"vim\"}}}", "config.harness.type"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"harness\": {\"type\": \"claude\"}, "
                        + "\"harness_auth_secrets\": {\"claude_auth_secret_name\": \"team-claude\"}}}",
                        "config.harness_auth_secrets.claude_auth_secret_name"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"mcp_servers\": {\"x\": {}}}}", "config.mcp_servers.x"),
                Arguments.of("{\"prompt\": \"p\", \"config\": {\"mcp_servers\": {\"x\": {\"url\": \"ftp://a\"}}}}", "config.mcp_servers.x.url"),
                Arguments.of("{\"prompt\": \"p\", \"metadata\": {\"bad key!\": \"v\"}}", "metadata.bad key!"),
                Arguments.of("{\"prompt\": \"p\", \"metadata\": {\"k\": \"" + "v".repeat(257) + "\"}}", "metadata.k"),
                Arguments.of("{\"prompt\": \"p\", \"metadata\": {\"k\": 5}}", "metadata.k"),
                Arguments.of("{\"prompt\": \"p\", \"metadata\": " + manyPairs(21) + "}", "metadata"),
                Arguments.of("{\"prompt\": \"p\", \"attachments\": " + attachments(6) + "}", "attachments"),
                Arguments.of("{\"prompt\": \"p\", \"attachments\": [{\"file_name\": \"a.png\", \"mime_type\": \"image/png\", \"data\": \"%%%\"}]}", "attachments[0].data"),
                Arguments.of("{\"prompt\": \"p\", \"attachments\": [{\"file_name\": \"../a.png\", \"mime_type\": \"image/png\", \"data\": \"AAAA\"}]}", "attachments[0].file_name"),
                Arguments.of("{\"prompt\": \"p\", \"attachments\": [{\"file_name\": \"a.png\", \"mime_type\": \"png\", \"data\": \"AAAA\"}]}", "attachments[0].mime_type"),
                Arguments.of("{\"prompt\": \"p\", \"parent_run_id\": 7}", "parent_run_id"));
    }

    private static String manyPairs(int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"k" + i + "\": \"v\"").collect(Collectors.joining(", ", "{", "}"));
    }

    private static String attachments(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"file_name\": \"f" + i + ".txt\", \"mime_type\": \"text/plain\", \"data\": \"aGk=\"}")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    @Test
    void aCliHarnessTakesAModelIdTheServersCatalogueDoesNotKnowForItsCli() {
        Api.Reply claude = api.post("/agent/runs", Map.of("prompt", "p", "config",
                Map.of("model_id", "sonnet", "harness", Map.of("type", "claude"))));
        assertThat(claude.status()).as(claude.toString()).isEqualTo(200);
        Api.Reply oz = api.post("/agent/runs", Map.of("prompt", "p", "config",
                Map.of("model_id", "sonnet", "harness", Map.of("type", "oz"))));
        assertThat(oz.status()).as(oz.toString()).isEqualTo(400);
        assertThat(oz.json().get("detail").asText()).startsWith("config.model_id:");
    }

    @Test
    void anUnknownParentRunIsNotFound() {
        Api.Reply r = api.post("/agent/runs", Map.of("prompt", "child", "parent_run_id", UUID.randomUUID().toString()));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).startsWith("parent_run_id:");
    }

    @Test
    void childRunsRecordTheirParentAndAreFoundByAncestor() {
        String root = api.createRun("root");
        String child = api.post("/agent/runs", Map.of("prompt", "child", "parent_run_id", root)).json().get("run_id").asText();
        String grandchild = api.post("/agent/runs", Map.of("prompt", "grandchild", "parent_run_id", child)).json()
                .get("run_id").asText();
        assertThat(api.get("/agent/runs/" + grandchild).json().get("parent_run_id").asText()).isEqualTo(child);
        assertThat(ids(api.get("/agent/runs?ancestor_run_id=" + root).json())).containsExactlyInAnyOrder(child, grandchild);
        assertThat(ids(api.get("/agent/runs?ancestor_run_id=" + child).json())).containsExactly(grandchild);
        JsonNode events = api.get("/agent/events?run_ids=" + root).json();
        assertThat(events.findValuesAsText("event_type")).contains("child_agent_started");
        assertThat(events.findValuesAsText("ref_id")).contains(child);
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        String parent = api.createRun("level 0");
        for (int i = 1; i <= Runs.MAX_DEPTH; i++) {
            parent = api.post("/agent/runs", Map.of("prompt", "level " + i, "parent_run_id", parent)).json()
                    .get("run_id").asText();
        }
        Api.Reply r = api.post("/agent/runs", Map.of("prompt", "too deep", "parent_run_id", parent));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith("parent_run_id:");
    }

    @Test
    void metadataIsStoredReturnedAndFilterable() {
        String tag = UUID.randomUUID().toString();
        String a = api.post("/agent/runs", Map.of("prompt", "a", "metadata", Map.of("ticket", tag, "env", "prod")))
                .json().get("run_id").asText();
        api.post("/agent/runs", Map.of("prompt", "b", "metadata", Map.of("ticket", tag, "env", "dev")));
        assertThat(api.get("/agent/runs/" + a).json().get("metadata").get("env").asText()).isEqualTo("prod");
        Api.Reply prod = api.get("/agent/runs?metadata%5Bticket%5D=" + tag + "&metadata%5Benv%5D=prod");
        assertThat(ids(prod.json())).as(prod.toString()).containsExactly(a);
        Api.Reply both = api.get("/agent/runs?metadata%5Bticket%5D=" + tag);
        assertThat(ids(both.json())).as(both.toString()).hasSize(2);
    }

    @Test
    void attachmentsAreAcceptedAndStored() {
        String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        Api.Reply r = api.post("/agent/runs", Map.of("prompt", "look at this", "attachments",
                List.of(Map.of("file_name", "shot.png", "mime_type", "image/png", "data", png))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        long stored = server.server().database().readOne(h -> h.createQuery(
                        "SELECT size_bytes FROM run_attachments WHERE run_id = :r").bind("r", r.json().get("run_id").asText())
                .mapTo(Long.class).one());
        assertThat(stored).isEqualTo(8);
    }

    @Test
    void theSameIdempotencyKeyReturnsTheOriginalRunAndADifferentBodyConflicts() {
        String key = UUID.randomUUID().toString();
        String body = Api.toJson(Map.of("prompt", "once only"));
        Api.Reply first = api.post("/agent/runs", body, Map.of("Idempotency-Key", key));
        Api.Reply again = api.post("/agent/runs", body, Map.of("Idempotency-Key", key));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("run_id").asText()).isEqualTo(first.json().get("run_id").asText());
        Api.Reply other = api.post("/agent/runs", Api.toJson(Map.of("prompt", "something else")), Map.of("Idempotency-Key", key));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().get("detail").asText()).startsWith("Idempotency-Key:");
    }

    @Test
    void concurrentRetriesWithOneIdempotencyKeyCreateOneRun() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = Api.toJson(Map.of("prompt", "raced", "config", Map.of("name", key)));
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<Api.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                replies.add(pool.submit(() -> api.post("/agent/runs", body, Map.of("Idempotency-Key", key))));
            }
            Set<String> ids = new HashSet<>();
            for (Future<Api.Reply> f : replies) {
                assertThat(f.get().status()).as(f.get().toString()).isEqualTo(200);
                ids.add(f.get().json().get("run_id").asText());
            }
            assertThat(ids).hasSize(1);
        }
        assertThat(ids(api.get("/agent/runs?name=" + key).json())).hasSize(1);
    }

    @Test
    void atCapacityIsReportedOnceTheTeamHasMoreActiveRunsThanItsLimit() {
        try (TestServer small = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(2))) {
            Api a = small.admin();
            List<Boolean> flags = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                flags.add(a.post("/agent/runs", Map.of("prompt", "p" + i)).json().get("at_capacity").asBoolean());
            }
            assertThat(flags).containsExactly(false, false, true, true);
        }
    }

    @Test
    void cancellingAQueuedRunEndsItAndCancellingAgainIsABadRequest() {
        String id = api.createRun("to be cancelled");
        Api.Reply r = api.post("/agent/runs/" + id + "/cancel", (String) null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().asText()).isEqualTo(id);
        JsonNode run = api.get("/agent/runs/" + id).json();
        assertThat(run.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(run.get("status_message").get("message").asText()).contains("Cancelled");
        Api.Reply again = api.post("/agent/runs/" + id + "/cancel", (String) null);
        assertThat(again.status()).isEqualTo(400);
    }

    @Test
    void unknownAndMalformedRunIdsAreNotFound() {
        assertThat(api.get("/agent/runs/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.get("/agent/runs/not-a-uuid").status()).isEqualTo(404);
        assertThat(api.post("/agent/runs/not-a-uuid/cancel", (String) null).status()).isEqualTo(404);
        Api.Reply r = api.get("/agent/nothing-here");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
    }

    static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        if (!list.has("runs")) {
            throw new AssertionError("not a runs list: " + list);
        }
        list.get("runs").forEach(r -> out.add(r.get("run_id").asText()));
        return out;
    }
}
