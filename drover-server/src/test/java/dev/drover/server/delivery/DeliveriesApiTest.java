package dev.drover.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.DroverServer;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The server's side of delivery, spoken as a worker speaks it: what a claim says about a run's changes, the
 * deliveries report (stored with its event, replaced by a later execution, fenced to the holder), the heads a
 * retried run's claim carries, and the diff endpoint's two forms.
 */
abstract class DeliveriesApiTest {
    static final String BASE = "0123456789abcdef0123456789abcdef01234567";
    static final String HEAD = "89abcdef0123456789abcdef0123456789abcdef";

    abstract Backend backend();

    private static String register(Api worker) {
        return worker.post("/workers", Map.of("name", "w", "pool", "default")).json().get("worker_id").asText();
    }

    private static JsonNode claim(Api worker, String workerId, String run) {
        for (int i = 0; i < 20; i++) {
            Api.Reply r = worker.post("/workers/" + workerId + "/claim?wait=1&accept=true", (String) null);
            if (r.status() == 200 && r.json().get("run").get("run_id").asText().equals(run)) {
                return r.json();
            }
        }
        throw new AssertionError("run " + run + " was not claimed");
    }

    private static Map<String, Object> report(String repo, String head, boolean pushed, String error) {
        Map<String, Object> body = new HashMap<>(Map.of("repository", repo, "base_commit", BASE, "head_commit", head,
                "branch", "drover/x", "files_changed", 1, "insertions", 2, "deletions", 3, "truncated", false,
                "diff", "diff --git a/" + repo + " b/" + repo + "\n", "pushed", pushed));
        if (error != null) {
            body.put("delivery_error", error);
        }
        return body;
    }

    private static List<String> events(Api user, String run) {
        List<String> out = new ArrayList<>();
        user.get("/agent/events?run_ids=" + run + "&limit=500").json().forEach(e -> out.add(e.get("event_type").asText()
                + (e.hasNonNull("ref_id") ? ":" + e.get("ref_id").asText() : "")));
        return out;
    }

    @Test
    void aClaimSaysWhatToDoWithTheRunsChangesAndAReportIsStoredWithItsEvent() throws Exception {
        try (TestServer server = TestServer.start(backend(), backend().freshConfig()
                .withGitBaseUrl("https://git.example.com").withForge("gitlab", null)
                .withEnv(Map.of("DROVER_BRANCH_PATTERN", "agents/{short_id}/work",
                        "DROVER_COMMIT_AUTHOR", "Release Bot <bot@example.com>")))) {
            Api user = server.admin();
            Api worker = server.newWorkerKey("deliveries-" + UUID.randomUUID());
            String w = register(worker);
            String env = user.createEnvironment(Map.of("name", "e", "github_repos",
                    List.of(Map.of("owner", "acme", "repo", "web")), "deliver_on_failure", true));
            String run = user.createRun(Map.of("prompt", "p", "config", Map.of("environment_id", env)));
            JsonNode claimed = claim(worker, w, run);
            JsonNode repo = claimed.get("environment").get("repos").get(0);
            assertThat(repo.get("clone_url").asText()).isEqualTo("https://git.example.com/acme/web.git");
            assertThat(repo.get("push_url").asText()).isEqualTo("https://git.example.com/acme/web.git");
            assertThat(repo.get("forge").asText()).isEqualTo("gitlab");
            assertThat(repo.get("forge_api_url").asText()).isEqualTo("https://git.example.com/api/v4");
            JsonNode delivery = claimed.get("delivery");
            assertThat(delivery.get("branch").asText()).isEqualTo("agents/" + run.substring(0, 8) + "/work");
            assertThat(delivery.get("commit_author").asText()).isEqualTo("Release Bot <bot@example.com>");
            assertThat(delivery.get("deliver_on_failure").asBoolean()).as("the environment's").isTrue();
            assertThat(delivery.get("session_link").asText()).isEqualTo(user.get("/agent/runs/" + run).json()
                    .get("session_link").asText());
            assertThat(delivery.get("previous_heads")).isEmpty();
            assertThat(delivery.has("credential")).isFalse();
            String execution = claimed.get("execution_id").asText();

            String path = "/workers/" + w + "/runs/" + run + "/deliveries";
            Map<String, String> headers = Map.of("X-Drover-Execution-Id", execution, "Idempotency-Key", "k1");
            Api.Reply first = worker.post(path, Api.toJson(report("acme/web", HEAD, true, null)), headers);
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(worker.post(path, Api.toJson(report("acme/web", HEAD, true, null)), headers).status())
                    .as("a retried report").isEqualTo(200);
            assertThat(worker.post(path, Api.toJson(report("acme/lib", HEAD, false, "the remote refused it")),
                    Map.of("X-Drover-Execution-Id", execution)).status()).isEqualTo(200);
            assertThat(worker.post(path, Api.toJson(report("acme/web", HEAD, true, null)),
                    Map.of("X-Drover-Execution-Id", w + ":9")).status()).as("another execution").isEqualTo(404);
            assertThat(events(user, run)).containsSubsequence("changes_delivered:acme/web", "delivery_failed:acme/lib")
                    .filteredOn(e -> e.startsWith("changes_delivered")).hasSize(1);

            JsonNode diff = user.get("/agent/runs/" + run + "/diff").json().get("repos");
            assertThat(diff).hasSize(2);
            assertThat(diff.get(0).get("repository").asText()).isEqualTo("acme/lib");
            assertThat(diff.get(0).get("pushed").asBoolean()).isFalse();
            assertThat(diff.get(0).get("delivery_error").asText()).isEqualTo("the remote refused it");
            assertThat(diff.get(1).get("repository").asText()).isEqualTo("acme/web");
            assertThat(diff.get(1).get("head_commit").asText()).isEqualTo(HEAD);
            assertThat(diff.get(1).get("insertions").asInt()).isEqualTo(2);
            assertThat(diff.get(1).get("deletions").asInt()).isEqualTo(3);
            assertThat(diff.get(1).has("delivery_error")).isFalse();

            // the patch: for format=patch, and for a client that asks for text/x-diff only
            String patch = "diff --git a/acme/lib b/acme/lib\ndiff --git a/acme/web b/acme/web\n";
            assertThat(user.get("/agent/runs/" + run + "/diff?format=patch").body()).isEqualTo(patch);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> asked = http.send(HttpRequest.newBuilder(URI.create(server.apiBaseUrl() + "/agent/runs/"
                    + run + "/diff")).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                    .header("Accept", "text/x-diff").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(asked.headers().firstValue("content-type").orElseThrow()).startsWith("text/x-diff");
            assertThat(asked.body()).isEqualTo(patch);
            HttpResponse<String> both = http.send(HttpRequest.newBuilder(URI.create(server.apiBaseUrl() + "/agent/runs/"
                    + run + "/diff")).header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                    .header("Accept", "application/json, text/x-diff").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(both.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
        }
    }

    @Test
    void aRetriedRunsClaimCarriesTheHeadsItsEarlierExecutionPushedAndItsReportReplacesTheirs() {
        MovableClock clock = new MovableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig()
                .withGitBaseUrl("https://github.com"), clock)) {
            Api user = server.admin();
            Api worker = server.newWorkerKey("retry-" + UUID.randomUUID());
            String w = register(worker);
            String env = user.createEnvironment(Map.of("name", "e", "github_repos",
                    List.of(Map.of("owner", "acme", "repo", "web"), Map.of("owner", "acme", "repo", "lib"))));
            String run = user.createRun(Map.of("prompt", "p", "config", Map.of("environment_id", env,
                    "deliver_on_failure", false)));
            JsonNode first = claim(worker, w, run);
            assertThat(first.get("environment").get("repos").get(0).get("forge").asText())
                    .as("github.com is GitHub by default").isEqualTo("github");
            assertThat(first.get("environment").get("repos").get(0).get("forge_api_url").asText())
                    .isEqualTo("https://api.github.com");
            assertThat(first.get("delivery").get("deliver_on_failure").asBoolean()).isFalse();
            String path = "/workers/" + w + "/runs/" + run + "/deliveries";
            Map<String, String> fenced = Map.of("X-Drover-Execution-Id", first.get("execution_id").asText());
            worker.post(path, Api.toJson(report("acme/web", HEAD, true, null)), fenced);
            worker.post(path, Api.toJson(report("acme/lib", HEAD, false, "refused")), fenced);
            // the worker is lost before the agent started: the run is requeued and claimed again
            clock.advanceUntil(ServerConfig.DEFAULT_LEASE, () ->
                    user.get("/agent/runs/" + run).json().get("state").asText().equals("QUEUED"));
            JsonNode second = claim(worker, w, run);
            assertThat(second.get("delivery").get("previous_heads")).hasSize(1);
            assertThat(second.get("delivery").get("previous_heads").get("acme/web").asText())
                    .as("only what was pushed").isEqualTo(HEAD);
            assertThat(worker.post(path, Api.toJson(report("acme/web", BASE.replace('0', 'f'), true, null)),
                    fenced).status()).as("the first execution is fenced out").isEqualTo(404);
            assertThat(worker.post(path, Api.toJson(report("acme/web", BASE.replace('0', 'f'), true, null)),
                    Map.of("X-Drover-Execution-Id", second.get("execution_id").asText())).status()).isEqualTo(200);
            JsonNode diff = user.get("/agent/runs/" + run + "/diff").json().get("repos");
            assertThat(diff).hasSize(2);
            assertThat(diff.get(1).get("head_commit").asText()).isEqualTo(BASE.replace('0', 'f'));
        }
    }

    @Test
    void aBranchPatternOrCommitAuthorThatCannotWorkStopsTheServerNamingTheSetting() {
        for (var bad : List.of(Map.entry("DROVER_BRANCH_PATTERN", "drover/fixed"),
                Map.entry("DROVER_BRANCH_PATTERN", "drover/{short_id}..x"),
                Map.entry("DROVER_COMMIT_AUTHOR", "just a name"))) {
            assertThatThrownBy(() -> DroverServer.start(backend().freshConfig().withEnv(Map.ofEntries(bad))).close())
                    .hasMessageContaining(bad.getKey());
        }
    }
}
