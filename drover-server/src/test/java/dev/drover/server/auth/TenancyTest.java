package dev.drover.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Authentication and who sees what, on every endpoint. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TenancyTest {
    TestServer server;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void requestsWithoutAValidKeyAreUnauthenticatedProblems() {
        for (String auth : new String[] {null, "Basic abc", "Bearer ", "Bearer drv_nope"}) {
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.apiBaseUrl() + "/agent/runs"));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            try {
                var r = java.net.http.HttpClient.newHttpClient().send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
                assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
                assertThat(r.body()).contains("authentication_required").contains("Authorization");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aRevokedKeyStopsWorking() {
        Principal p = server.server().accounts().ensurePrincipal(Principal.Kind.USER, "rev-" + UUID.randomUUID() + "@x.io",
                null, false);
        Accounts.CreatedKey key = server.server().accounts().createKey(p, "short-lived", null);
        assertThat(server.server().accounts().authenticate(key.secret())).isPresent();
        assertThat(server.server().accounts().revokeKey(key.id())).isTrue();
        assertThat(server.server().accounts().authenticate(key.secret())).isEmpty();
    }

    @Test
    void anotherTenantSeesNoneOfARunAndEveryIdIsNotFound() {
        Api owner = server.newTenant("owner-" + UUID.randomUUID());
        Api other = server.newTenant("other-" + UUID.randomUUID());
        String run = owner.createRun("private work");
        String msg = owner.post("/agent/messages", Map.of("to", List.of(run), "subject", "s", "body", "b",
                "sender_run_id", run)).json().get("message_ids").get(0).asText();
        String session = owner.get("/agent/runs/" + run).json().get("session_id").asText();

        assertThat(other.get("/agent/runs/" + run).status()).isEqualTo(404);
        assertThat(other.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(404);
        assertThat(other.get("/agent/events?run_ids=" + run).status()).isEqualTo(404);
        assertThat(other.post("/agent/events/" + run, "{\"event_type\":\"run_cancelled\"}").status()).isEqualTo(404);
        assertThat(other.get("/agent/messages/" + run).status()).isEqualTo(404);
        assertThat(other.post("/agent/messages/" + msg + "/read", (String) null).status()).isEqualTo(404);
        assertThat(other.post("/agent/runs", Map.of("prompt", "x", "parent_run_id", run)).status()).isEqualTo(404);
        String conversation = owner.get("/agent/runs/" + run).json().get("conversation_id").asText();
        assertThat(other.post("/agent/runs", Map.of("prompt", "x", "conversation_id", conversation)).status()).isEqualTo(404);
        assertThat(other.get("/agent/sessions/" + session + "/redirect").json().size()).isZero();
        assertThat(other.get("/agent/runs?limit=500").json().get("runs").findValuesAsText("run_id")).doesNotContain(run);
        assertThat(other.get("/agent/runs?q=private").json().get("runs")).isEmpty();
        assertThat(owner.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("QUEUED");
    }

    @Test
    void teamRunsAreSharedWithTheTeamAndPersonalRunsAreNot() {
        Accounts accounts = server.server().accounts();
        String team = accounts.ensureTeam("shared-" + UUID.randomUUID());
        Api alice = key(accounts.ensurePrincipal(Principal.Kind.USER, "alice-" + UUID.randomUUID() + "@x.io", team, false));
        Api bob = key(accounts.ensurePrincipal(Principal.Kind.USER, "bob-" + UUID.randomUUID() + "@x.io", team, false));

        String teamRun = alice.createRun("for the team");
        String personal = alice.post("/agent/runs", Map.of("prompt", "just mine", "team", false)).json().get("run_id").asText();
        assertThat(alice.get("/agent/runs/" + teamRun).json().get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(alice.get("/agent/runs/" + personal).json().get("scope").get("type").asText()).isEqualTo("User");

        assertThat(bob.get("/agent/runs/" + teamRun).status()).isEqualTo(200);
        assertThat(bob.post("/agent/runs/" + teamRun + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(bob.get("/agent/runs/" + personal).status()).isEqualTo(404);
        assertThat(bob.get("/agent/runs").json().get("runs").findValuesAsText("run_id")).contains(teamRun).doesNotContain(personal);
        assertThat(alice.get("/agent/runs").json().get("runs").findValuesAsText("run_id")).contains(teamRun, personal);
    }

    @Test
    void aUserInNoTeamCannotAskForATeamRun() {
        Accounts accounts = server.server().accounts();
        Api loner = key(accounts.ensurePrincipal(Principal.Kind.USER, "loner-" + UUID.randomUUID() + "@x.io", null, false));
        assertThat(loner.post("/agent/runs", Map.of("prompt", "p")).json().get("run_id")).isNotNull();
        Api.Reply r = loner.post("/agent/runs", Map.of("prompt", "p", "team", true));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith("team:");
    }

    @Test
    void keysAreStoredOnlyAsHashes() {
        String secret = TestServer.ADMIN_KEY;
        long leaked = server.server().database().readOne(h -> h.createQuery(
                        "SELECT COUNT(*) FROM api_keys WHERE secret_hash = :s OR prefix = :s OR name = :s")
                .bind("s", secret).mapTo(Long.class).one());
        assertThat(leaked).isZero();
        long hashed = server.server().database().readOne(h -> h.createQuery(
                        "SELECT COUNT(*) FROM api_keys WHERE secret_hash = :h").bind("h", ApiKeys.hash(secret))
                .mapTo(Long.class).one());
        assertThat(hashed).isEqualTo(1);
    }

    private Api key(Principal p) {
        return new Api(server.apiBaseUrl(), server.server().accounts().createKey(p, "test", null).secret());
    }
}
