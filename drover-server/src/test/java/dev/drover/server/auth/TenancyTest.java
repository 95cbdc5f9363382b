package dev.drover.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Authentication and who sees what, on every endpoint. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TenancyTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SOME_ID = "00000000-0000-4000-8000-000000000000";

    /** Every route under /api/v1 except the public OpenAPI document, as method and path (ids are placeholders). */
    private static final List<String[]> EVERY_ENDPOINT = List.of(
            new String[] {"POST", "/agent/runs"},
            new String[] {"POST", "/agent/run"},
            new String[] {"GET", "/agent/runs"},
            new String[] {"GET", "/agent/runs/" + SOME_ID},
            new String[] {"POST", "/agent/runs/" + SOME_ID + "/cancel"},
            new String[] {"GET", "/agent/runs/" + SOME_ID + "/conversation"},
            new String[] {"GET", "/agent/runs/" + SOME_ID + "/transcript"},
            new String[] {"GET", "/agent/conversations/" + SOME_ID},
            new String[] {"GET", "/agent/events?run_ids=" + SOME_ID},
            new String[] {"GET", "/agent/events/stream?run_ids=" + SOME_ID},
            new String[] {"POST", "/agent/events/" + SOME_ID},
            new String[] {"POST", "/agent/messages"},
            new String[] {"GET", "/agent/messages/" + SOME_ID},
            new String[] {"POST", "/agent/messages/" + SOME_ID + "/read"},
            new String[] {"POST", "/agent/messages/" + SOME_ID + "/delivered"},
            new String[] {"GET", "/agent/models"},
            new String[] {"POST", "/agent/runs/" + SOME_ID + "/followups"},
            new String[] {"GET", "/agent/runs/" + SOME_ID + "/handoff/attachments"},
            new String[] {"GET", "/agent/artifacts/" + SOME_ID},
            new String[] {"GET", "/agent/environments"},
            new String[] {"POST", "/agent/environments"},
            new String[] {"GET", "/agent/environments/" + "A".repeat(22)},
            new String[] {"PUT", "/agent/environments/" + "A".repeat(22)},
            new String[] {"DELETE", "/agent/environments/" + "A".repeat(22)},
            new String[] {"POST", "/workers"},
            new String[] {"GET", "/workers"},
            new String[] {"POST", "/workers/" + SOME_ID + "/claim"},
            new String[] {"POST", "/workers/" + SOME_ID + "/heartbeat"},
            new String[] {"GET", "/agent/no-such-endpoint"});

    TestServer server;
    Accounts accounts;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        accounts = server.server().accounts();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<String> raw(String method, String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.apiBaseUrl() + path))
                .method(method, method.equals("POST") || method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path, e);
        }
    }

    private void assertUnauthenticated(String authorization) {
        for (String[] endpoint : EVERY_ENDPOINT) {
            HttpResponse<String> r = raw(endpoint[0], endpoint[1], authorization);
            String what = endpoint[0] + " " + endpoint[1] + " with " + authorization;
            assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(401);
            assertThat(r.headers().firstValue("content-type").orElse("")).as(what).startsWith("application/problem+json");
            JsonNode problem = new Api.Reply(r.statusCode(), Map.of(), r.body()).json();
            assertThat(problem.get("type").asText()).as(what).endsWith("/authentication_required");
            assertThat(problem.get("status").asInt()).as(what).isEqualTo(401);
            assertThat(problem.get("detail").asText()).as(what).startsWith("Authorization:");
        }
    }

    private Api client(Principal p) {
        return new Api(server.apiBaseUrl(), accounts.createKey(p, "test", null).secret());
    }

    private Principal user(String name, String team) {
        return accounts.ensurePrincipal(Principal.Kind.USER, name + "-" + UUID.randomUUID() + "@x.io", team, false);
    }

    /** The redirect checks the SDK sends without a key: answered without one, as to a caller who sees nothing. */
    private static final List<String> KEYLESS = List.of("/agent/sessions/" + SOME_ID + "/redirect",
            "/agent/conversations/" + SOME_ID + "/redirect");

    @Test
    void everyEndpointRefusesARequestWithoutAKey() {
        assertUnauthenticated(null);
    }

    @Test
    void theKeylessRedirectChecksAnswerAnEmptyObjectWithoutAKey() {
        for (String path : KEYLESS) {
            Api.Reply r = server.anonymous().get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).isEqualTo("{}");
        }
    }

    @Test
    void everyEndpointRefusesAGarbledKey() {
        String valid = TestServer.ADMIN_KEY;
        for (String auth : List.of("", "Basic " + valid, "Bearer", "Bearer ", "Bearer drv_nope",
                "Bearer " + valid.substring(0, valid.length() - 1), "Bearer " + valid + "x", "Bearer " + ApiKeys.hash(valid),
                "Bearer " + ApiKeys.displayPrefix(valid), "Token " + valid, valid)) {
            assertUnauthenticated(auth);
        }
    }

    @Test
    void aKeyRevokedWhileInUseIsRefusedOnTheNextRequestOfEveryEndpoint() {
        Accounts.CreatedKey key = accounts.createKey(user("rev", accounts.ensureTeam("rev-" + UUID.randomUUID())),
                "short-lived", null);
        Api api = new Api(server.apiBaseUrl(), key.secret());
        String run = api.createRun("before revocation");
        assertThat(api.get("/agent/runs/" + run).status()).isEqualTo(200);

        assertThat(accounts.revokeKey(key.id())).isTrue();
        // no waiting: the node that revokes a key forgets it at once
        assertThat(api.get("/agent/runs/" + run).status()).isEqualTo(401);
        assertUnauthenticated("Bearer " + key.secret());
        assertThat(accounts.authenticate(key.secret())).isEmpty();
        assertThat(accounts.revokeKey(key.id())).as("already revoked").isFalse();
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        assertThat(raw("GET", "/agent/runs", "bearer " + TestServer.ADMIN_KEY).statusCode()).isEqualTo(200);
        assertThat(raw("GET", "/agent/runs", "BEARER " + TestServer.ADMIN_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherTenantGetsNotFoundForEveryIdOfARunAndNeverSeesItListed() {
        Api owner = server.newTenant("owner-" + UUID.randomUUID());
        Api other = server.newTenant("other-" + UUID.randomUUID());
        String run = owner.createRun("private work");
        String otherRun = other.createRun("their own");
        String msg = owner.post("/agent/messages", Map.of("to", List.of(run), "subject", "s", "body", "b",
                "sender_run_id", run)).json().get("message_ids").get(0).asText();
        JsonNode item = owner.get("/agent/runs/" + run).json();
        String session = item.get("session_id").asText();
        String conversation = item.get("conversation_id").asText();
        String messageSend = Api.toJson(Map.of("to", List.of(otherRun), "subject", "s", "body", "b", "sender_run_id", run));
        String messageTo = Api.toJson(Map.of("to", List.of(run), "subject", "s", "body", "b", "sender_run_id", otherRun));

        // what the owner may read, the other tenant may not even learn exists
        for (String path : List.of("/agent/runs/" + run, "/agent/events?run_ids=" + run, "/agent/messages/" + run)) {
            assertThat(owner.get(path).status()).as("owner: " + path).isEqualTo(200);
            assertNotFound(other.get(path), path);
        }
        // one foreign id spoils a poll or stream that also names the caller's own run
        for (String path : List.of("/agent/events?run_ids=" + otherRun + "," + run,
                "/agent/events?run_ids=" + otherRun + "&run_ids=" + run, "/agent/events/stream?run_ids=" + run,
                "/agent/events/stream?run_ids=" + otherRun + "," + run)) {
            assertNotFound(other.get(path), path);
        }
        List<String[]> writes = new ArrayList<>(List.of(
                new String[] {"/agent/runs/" + run + "/cancel", null},
                new String[] {"/agent/events/" + run, "{\"event_type\":\"run_cancelled\"}"},
                new String[] {"/agent/messages/" + msg + "/read", null},
                new String[] {"/agent/messages/" + msg + "/delivered", null},
                new String[] {"/agent/messages", messageSend},
                new String[] {"/agent/messages", messageTo},
                new String[] {"/agent/runs", Api.toJson(Map.of("prompt", "x", "parent_run_id", run))},
                new String[] {"/agent/runs", Api.toJson(Map.of("prompt", "x", "conversation_id", conversation))}));
        for (String[] w : writes) {
            assertNotFound(other.post(w[0], w[1]), "POST " + w[0] + " " + w[1]);
        }
        assertThat(other.get("/agent/sessions/" + session + "/redirect").json().size()).isZero();
        assertThat(other.get("/agent/runs?limit=500").json().get("runs").findValuesAsText("run_id"))
                .containsExactly(otherRun);
        assertThat(other.get("/agent/runs?q=private").json().get("runs")).isEmpty();
        assertThat(server.admin().get("/agent/runs/" + run).status()).as("the bootstrap admin is a tenant too")
                .isEqualTo(404);
        assertThat(server.admin().get("/agent/runs?limit=500").json().get("runs").findValuesAsText("run_id"))
                .doesNotContain(run, otherRun);

        // and nothing the other tenant tried changed anything
        assertThat(owner.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("QUEUED");
        JsonNode inbox = owner.get("/agent/messages/" + run).json();
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0).get("read_at").isNull()).isTrue();
        assertThat(inbox.get(0).get("delivered_at").isNull()).isTrue();
        assertThat(other.get("/agent/messages/" + otherRun).json()).isEmpty();
        assertThat(owner.get("/agent/events?run_ids=" + run).json().findValuesAsText("event_type"))
                .containsExactly("run_queued", "new_message");
        assertThat(owner.get("/agent/runs?limit=500").json().get("runs").findValuesAsText("run_id")).containsExactly(run);
    }

    private static void assertNotFound(Api.Reply r, String what) {
        assertThat(r.status()).as(what + ": " + r).isEqualTo(404);
        assertThat(r.header("content-type")).as(what).startsWith("application/problem+json");
        assertThat(r.body()).as(what).doesNotContain("private work");
    }

    @Test
    void teamRunsAreSharedWithTheTeamAndPersonalRunsAreNot() {
        String team = accounts.ensureTeam("shared-" + UUID.randomUUID());
        Api alice = client(user("alice", team));
        Api bob = client(user("bob", team));

        String teamRun = alice.createRun("for the team");
        String personal = alice.post("/agent/runs", Map.of("prompt", "just mine", "team", false)).json().get("run_id").asText();
        assertThat(alice.get("/agent/runs/" + teamRun).json().get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(alice.get("/agent/runs/" + personal).json().get("scope").get("type").asText()).isEqualTo("User");
        String bobsOwn = bob.post("/agent/runs", Map.of("prompt", "bob's own", "team", false)).json().get("run_id").asText();

        // bob sees and acts on the team's run
        assertThat(bob.get("/agent/runs/" + teamRun).status()).isEqualTo(200);
        assertThat(bob.get("/agent/events?run_ids=" + teamRun).status()).isEqualTo(200);
        assertThat(bob.post("/agent/messages", Map.of("to", List.of(teamRun), "subject", "s", "body", "b",
                "sender_run_id", bobsOwn)).status()).isEqualTo(200);
        assertThat(bob.get("/agent/messages/" + teamRun).json()).hasSize(1);

        // alice's personal run is as foreign to bob as another tenant's
        assertThat(bob.get("/agent/runs/" + personal).status()).isEqualTo(404);
        assertThat(bob.get("/agent/events?run_ids=" + personal).status()).isEqualTo(404);
        assertThat(bob.get("/agent/messages/" + personal).status()).isEqualTo(404);
        assertThat(bob.post("/agent/runs/" + personal + "/cancel", (String) null).status()).isEqualTo(404);
        assertThat(bob.post("/agent/messages", Map.of("to", List.of(personal), "subject", "s", "body", "b",
                "sender_run_id", bobsOwn)).status()).isEqualTo(404);
        assertThat(alice.get("/agent/runs/" + bobsOwn).status()).isEqualTo(404);
        String personalSession = alice.get("/agent/runs/" + personal).json().get("session_id").asText();
        alice.post("/agent/runs/" + personal + "/cancel", (String) null);
        assertThat(alice.get("/agent/sessions/" + personalSession + "/redirect").json().has("conversation_id")).isTrue();
        assertThat(bob.get("/agent/sessions/" + personalSession + "/redirect").json().size()).isZero();

        assertThat(bob.get("/agent/runs?limit=500").json().get("runs").findValuesAsText("run_id"))
                .containsExactlyInAnyOrder(teamRun, bobsOwn);
        assertThat(alice.get("/agent/runs?limit=500").json().get("runs").findValuesAsText("run_id"))
                .containsExactlyInAnyOrder(teamRun, personal);
        assertThat(bob.post("/agent/runs/" + teamRun + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(alice.get("/agent/runs/" + teamRun).json().get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aUserWhoJoinsATeamSeesItsRunsOnTheNextRequest() {
        String team = accounts.ensureTeam("joined-" + UUID.randomUUID());
        Api alice = client(user("alice", team));
        String teamRun = alice.createRun("for the team");
        Principal carol = user("carol", null);
        Api carolApi = client(carol);
        assertThat(carolApi.get("/agent/runs/" + teamRun).status()).isEqualTo(404);
        accounts.ensurePrincipal(Principal.Kind.USER, carol.email(), team, false);
        assertThat(carolApi.get("/agent/runs/" + teamRun).status()).isEqualTo(200);
    }

    @Test
    void aUserInNoTeamCannotAskForATeamRun() {
        Api loner = client(user("loner", null));
        assertThat(loner.post("/agent/runs", Map.of("prompt", "p")).json().get("run_id")).isNotNull();
        Api.Reply r = loner.post("/agent/runs", Map.of("prompt", "p", "team", true));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith("team:");
    }

    @Test
    void noRowOfTheKeysTableContainsASecret() {
        Accounts.CreatedKey fresh = accounts.createKey(user("hash", null), "fresh", null);
        List<String> secrets = List.of(TestServer.ADMIN_KEY, fresh.secret());
        List<Map<String, Object>> rows = server.server().database().readOne(h ->
                h.createQuery("SELECT * FROM api_keys").mapToMap().list());
        assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
        for (Map<String, Object> row : rows) {
            for (Object value : row.values()) {
                for (String secret : secrets) {
                    assertThat(String.valueOf(value)).doesNotContain(secret).doesNotContain(secret.substring(4));
                }
            }
        }
        for (String secret : secrets) {
            assertThat(rows).filteredOn(r -> ApiKeys.hash(secret).equals(r.get("secret_hash"))).hasSize(1);
        }
        assertThat(new Api(server.apiBaseUrl(), fresh.secret()).get("/agent/runs").status()).isEqualTo(200);
    }
}
