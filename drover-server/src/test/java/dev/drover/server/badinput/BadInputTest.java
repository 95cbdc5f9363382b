package dev.drover.server.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.RawHttp;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every operation of the server's own {@code /api/v1/openapi.json}, sent bad requests generated from its schema
 * ({@link BadRequests}): none may answer 5xx, every error is problem+json whose {@code detail} names the member
 * or parameter at fault, nothing is written, and the server logs nothing at ERROR.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BadInputTest {
    TestServer server;
    ErrorLog errors;
    List<Probe> probes;

    static final String WEBHOOK_URL = "https://93.184.215.14/hook";

    abstract Backend backend();

    @BeforeAll
    void start() throws IOException {
        server = TestServer.start(backend());
        Api admin = server.admin();
        Api worker = server.newWorkerKey("bad-input-worker");
        String workerId = worker.post("/workers", Map.of("name", "w", "pool", "default", "slots", 1, "host", "h"))
                .json().get("worker_id").asText();
        String run = admin.createRun("a fixture run");
        String environment = admin.createEnvironment(Map.of("name", "fixture"));
        String schedule = admin.post("/agent/schedules", Map.of("name", "fixture", "cron_schedule", "0 0 1 1 *",
                "prompt", "p")).json().get("id").asText();
        String message = admin.post("/agent/messages", Map.of("to", List.of(run), "subject", "s", "body", "b",
                "sender_run_id", run)).json().get("message_ids").get(0).asText();
        // a public address literal: a valid target without a DNS lookup (this machine resolves nothing outside)
        String webhook = admin.post("/webhooks", Map.of("url", WEBHOOK_URL, "event_types", List.of("run_succeeded")))
                .json().get("id").asText();
        String secret = admin.post("/secrets", Map.of("name", "FIXTURE", "value", "fixture value")).json().get("uid")
                .asText();
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("runId", run);
        ids.put("workerId", workerId);
        ids.put("uid", environment);
        ids.put("scheduleId", schedule);
        ids.put("messageId", message);
        ids.put("artifactUid", UUID.randomUUID().toString());
        ids.put("conversation_id", UUID.randomUUID().toString());
        ids.put("sessionUuid", UUID.randomUUID().toString());
        ids.put("position", "0");
        ids.put("webhookId", webhook);
        ids.put("secretId", secret);
        ids.put("deliveryId", UUID.randomUUID().toString());
        Map<String, String> auth = new LinkedHashMap<>();
        auth.put("/workers", "Bearer " + worker.key());
        auth.put("/", "Bearer " + TestServer.ADMIN_KEY);
        JsonNode doc = Json.mapper().readTree(server.anonymous().get("/openapi.json").body());
        String base = URI.create(server.apiBaseUrl()).getPath();
        probes = new BadRequests(doc, base, ids, baselines(run, workerId), auth, Map.of("run_ids", run),
                Map.of("attachments[0].data", 15 * 1024 * 1024), Set.of("sessionUuid", "conversationId")).all();
        errors = new ErrorLog();
    }

    /** A valid body per operation: each probe is wrong in one place only, so its answer must name that place. */
    private static Map<String, String> baselines(String run, String worker) {
        String run1 = """
                {"prompt": "p", "title": "t", "team": true, "interactive": false, "metadata": {"k": "v"},
                 "config": {"name": "n", "base_prompt": "b", "idle_timeout_minutes": 5, "harness": {"type": "oz"}},
                 "attachments": [{"file_name": "a.txt", "mime_type": "text/plain", "data": "aGk="}]}""";
        String environment = """
                {"name": "e", "description": "d", "docker_image": "ubuntu:24.04",
                 "github_repos": [{"owner": "acme", "repo": "web"}], "setup_commands": ["make"]}""";
        String schedule = """
                {"name": "s", "cron_schedule": "0 0 1 1 *", "prompt": "p", "enabled": true,
                 "agent_config": {"name": "n", "idle_timeout_minutes": 5}}""";
        Map<String, String> b = new LinkedHashMap<>();
        b.put("POST /agent/run", run1);
        b.put("POST /agent/runs", run1);
        b.put("POST /agent/events/{runId}", "{\"event_type\": \"run_in_progress\", \"status_message\": {\"message\": \"m\"}}");
        b.put("POST /agent/messages", "{\"to\": [\"" + run + "\"], \"subject\": \"s\", \"body\": \"b\", \"sender_run_id\": \""
                + run + "\"}");
        b.put("POST /agent/environments", environment.replace("{\"name\"", "{\"team\": true, \"name\""));
        b.put("PUT /agent/environments/{uid}", environment);
        b.put("POST /workers", "{\"name\": \"w2\", \"pool\": \"default\", \"slots\": 1, \"host\": \"h\"}");
        b.put("POST /workers/{workerId}/runs/{runId}/transcript",
                "{\"messages\": [{\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"t\"}]}]}");
        b.put("POST /workers/{workerId}/runs/{runId}/artifacts", "{\"artifact_type\": \"PLAN\", \"title\": \"t\", \"content\": \"c\"}");
        b.put("POST /workers/{workerId}/runs/{runId}/usage", "{\"model_id\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1}");
        b.put("POST /workers/{workerId}/runs/{runId}/deliveries", "{\"repository\": \"acme/web\", \"base_commit\": \""
                + "0123456789abcdef0123456789abcdef01234567\", \"head_commit\": \"89abcdef0123456789abcdef0123456789abcdef\", "
                + "\"branch\": \"drover/abc\", \"files_changed\": 1, \"insertions\": 1, \"deletions\": 0, \"truncated\": false, "
                + "\"diff\": \"d\", \"pushed\": false, \"delivery_error\": \"e\"}");
        b.put("POST /workers/{workerId}/heartbeat", "{\"run_ids\": [\"" + run + "\"]}");
        b.put("POST /agent/runs/{runId}/followups", "{\"message\": \"m\", \"mode\": \"plan\"}");
        b.put("POST /agent/schedules", schedule.replace("{\"name\"", "{\"team\": true, \"name\""));
        b.put("PUT /agent/schedules/{scheduleId}", schedule);
        b.put("POST /secrets", "{\"name\": \"PROBE\", \"value\": \"v\", \"description\": \"d\", \"team\": true}");
        b.put("PUT /secrets/{secretId}", "{\"value\": \"v\", \"description\": \"d\"}");
        b.put("POST /webhooks", "{\"url\": \"" + WEBHOOK_URL + "\", \"event_types\": [\"run_succeeded\"], "
                + "\"description\": \"d\", \"team\": true}");
        return b;
    }

    @AfterAll
    void stop() {
        if (errors != null) {
            errors.close();
        }
        server.close();
    }

    @Test
    void everyOperationOfTheOpenApiDocumentIsProbed() {
        Set<String> operations = new TreeSet<>();
        probes.forEach(p -> operations.add(p.operation()));
        assertThat(operations).hasSizeGreaterThanOrEqualTo(49);
        assertThat(probes.stream().filter(p -> p.body() != null && p.what().contains("NUL")).count())
                .as("NUL probes of body members").isGreaterThan(50);
    }

    @Test
    void noBadRequestGetsA5xxAnAnswerThatIsNotProblemJsonOrNamesNothingOrWritesOrLogsAnError() {
        URI uri = URI.create(server.apiBaseUrl());
        RawHttp http = new RawHttp(uri.getHost(), uri.getPort());
        List<String> failures = new ArrayList<>();
        errors.drain();
        Map<String, Object> before = WriteFingerprint.of(server.server().database());
        for (Probe probe : probes) {
            RawHttp.Reply reply = http.send(probe.method(), probe.target(), probe.headers(), probe.body());
            String problem = check(probe, reply);
            Map<String, Object> after = WriteFingerprint.of(server.server().database());
            if (!probe.mustRefuse() && reply.status() < 400) {
                before = after; // a request that may be valid, accepted: what it wrote is its business
            } else if (!Objects.equals(before, after)) {
                problem = (problem == null ? "" : problem + "; ") + "wrote: " + before + " → " + after;
                before = after;
            }
            List<String> logged = errors.drain();
            if (!logged.isEmpty()) {
                problem = (problem == null ? "" : problem + "; ") + "logged " + logged;
            }
            if (problem != null) {
                failures.add(probe + ": " + problem + " — " + reply);
            }
        }
        System.out.println("bad-input probes sent: " + probes.size() + ", failed: " + failures.size());
        assertThat(failures).as("%d of %d probes", failures.size(), probes.size()).isEmpty();
    }

    /** Null when the reply is right for the probe, else what is wrong with it. */
    private static String check(Probe probe, RawHttp.Reply reply) {
        int status = reply.status();
        if (status >= 500) {
            return "a " + status;
        }
        if (probe.mustRefuse() && status < 400) {
            return "accepted (" + status + ")";
        }
        if (status < 400) {
            return null;
        }
        String type = reply.header("content-type");
        if (type == null || !type.startsWith("application/problem+json")) {
            return "not problem+json";
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(reply.body());
        } catch (IOException e) {
            return "a problem that is not JSON";
        }
        if (json.path("status").asInt() != status || json.path("detail").asText().isBlank()) {
            return "a problem without its status or detail";
        }
        String detail = json.get("detail").asText();
        if (status == 400 && probe.mustRefuse() && !probe.names().isEmpty()
                && probe.names().stream().noneMatch(n -> detail.startsWith(n + ":") || detail.startsWith(n + ".")
                        || detail.startsWith(n + "["))) {
            return "detail names none of " + probe.names();
        }
        return null;
    }
}
