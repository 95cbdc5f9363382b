package dev.drover.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboard's sessions over real HTTP: sign-in with a key or a one-time link, the cookie's flags, CSRF and
 * origin checks on writes, sign-out, revocation and expiry, tenancy, and the pages' security headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebSessionsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    TestServer server;
    MovableClock clock;
    String base;

    abstract Backend backend();

    @BeforeAll
    void start() {
        clock = new MovableClock(Instant.now());
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0), clock);
        base = server.server().publicUrl();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    record Reply(int status, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    Reply send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What a browser on Drover's own page sends with a write. */
    Map<String, String> sameOrigin(Session s) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Origin", base);
        h.put("Sec-Fetch-Site", "same-origin");
        if (s != null) {
            h.put("Cookie", CookieAuth.COOKIE + "=" + s.id());
            h.put("X-Drover-CSRF", s.csrf());
        }
        return h;
    }

    record Session(String id, String csrf, String setCookie) {}

    Session signIn(String key) {
        Reply r = send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", key)), sameOrigin(null));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return session(r);
    }

    static Session session(Reply r) {
        String cookie = r.header("set-cookie");
        String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        return new Session(id, r.json().get("csrf_token").asText(), cookie);
    }

    Reply get(Session s, String path) {
        return send("GET", path, null, Map.of("Cookie", CookieAuth.COOKIE + "=" + s.id()));
    }

    /** A new user of a new team with a key of their own. */
    Accounts.CreatedKey newUser(String name) {
        Accounts accounts = server.server().accounts();
        String team = accounts.ensureTeam("team-" + name);
        Principal user = accounts.ensurePrincipal(Principal.Kind.USER, name + "@example.com", team, false);
        return accounts.createKey(user, "web", null);
    }

    @Test
    void signingInWithAKeySetsAnHttpOnlyStrictSessionCookieThatActsAsTheKeysPrincipal() {
        String run = server.admin().createRun("seen through the cookie");
        Session s = signIn(TestServer.ADMIN_KEY);
        assertThat(s.setCookie()).startsWith("drover_session=").contains("; HttpOnly").contains("; SameSite=Strict")
                .contains("; Path=/").doesNotContain("Secure"); // the server is reached over plain http here
        assertThat(s.csrf()).isNotBlank().isNotEqualTo(s.id());

        Reply me = get(s, "/web/session");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("email").asText()).isEqualTo("admin@drover.local");
        assertThat(me.json().get("csrf_token").asText()).isEqualTo(s.csrf());
        assertThat(me.raw().body()).doesNotContain(TestServer.ADMIN_KEY);
        Reply item = get(s, "/api/v1/agent/runs/" + run);
        assertThat(item.status()).as(item.toString()).isEqualTo(200);
        // only hashes are stored: the database holds no usable session id
        long stored = server.server().database().readOne(h -> h.createQuery(
                "SELECT COUNT(*) FROM web_sessions WHERE id_hash = :id").bind("id", s.id()).mapTo(Long.class).one());
        assertThat(stored).isZero();
    }

    @Test
    void aWriteAuthenticatedByTheCookieNeedsTheCsrfTokenAndASameOriginRequest() {
        Session s = signIn(TestServer.ADMIN_KEY);
        String body = Api.toJson(Map.of("prompt", "written from the dashboard"));
        Map<String, String> noToken = new LinkedHashMap<>(sameOrigin(s));
        noToken.remove("X-Drover-CSRF");
        Reply refused = send("POST", "/api/v1/agent/runs", body, noToken);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
        assertThat(refused.json().get("detail").asText()).startsWith("X-Drover-CSRF:");

        Map<String, String> wrongToken = new LinkedHashMap<>(sameOrigin(s));
        wrongToken.put("X-Drover-CSRF", s.csrf().substring(1) + "x");
        assertThat(send("POST", "/api/v1/agent/runs", body, wrongToken).status()).isEqualTo(403);

        // a page on another site that somehow had the token is still refused by where it comes from
        Map<String, String> crossSite = new LinkedHashMap<>(sameOrigin(s));
        crossSite.put("Sec-Fetch-Site", "cross-site");
        crossSite.put("Origin", "https://evil.example");
        Reply foreign = send("POST", "/api/v1/agent/runs", body, crossSite);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().get("detail").asText()).startsWith("Sec-Fetch-Site:");
        Map<String, String> foreignOrigin = new LinkedHashMap<>(sameOrigin(s));
        foreignOrigin.remove("Sec-Fetch-Site");
        foreignOrigin.put("Origin", "https://evil.example");
        assertThat(send("POST", "/api/v1/agent/runs", body, foreignOrigin).json().get("detail").asText())
                .startsWith("Origin:");
        Map<String, String> noOrigin = new LinkedHashMap<>(sameOrigin(s));
        noOrigin.remove("Sec-Fetch-Site");
        noOrigin.remove("Origin");
        assertThat(send("POST", "/api/v1/agent/runs", body, noOrigin).status()).isEqualTo(403);
        assertThat(server.admin().get("/agent/runs?q=written+from+the+dashboard").json().get("runs")).isEmpty();

        Reply created = send("POST", "/api/v1/agent/runs", body, sameOrigin(s));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        // a request with a key is not a browser's: no CSRF token needed, as before
        assertThat(server.admin().post("/agent/runs", Map.of("prompt", "with a key")).status()).isEqualTo(200);
    }

    @Test
    void signInRefusesUnknownAndWorkerKeysBadBodiesAndOtherSites() {
        Reply unknown = send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", "drv_nope")), sameOrigin(null));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().get("detail").asText()).startsWith("api_key:");
        assertThat(unknown.header("set-cookie")).isNull();

        Api worker = server.newWorkerKey("w-" + UUID.randomUUID());
        Reply machine = send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", worker.key())), sameOrigin(null));
        assertThat(machine.status()).isEqualTo(401);
        assertThat(machine.json().get("detail").asText()).contains("worker keys");

        Reply both = send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", "a", "token", "b")), sameOrigin(null));
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("detail").asText()).startsWith("api_key:");
        assertThat(send("POST", "/web/sign-in", "{}", sameOrigin(null)).status()).isEqualTo(400);
        assertThat(send("POST", "/web/sign-in", "not json", sameOrigin(null)).status()).isEqualTo(400);
        Reply nul = send("POST", "/web/sign-in", "{\"api_key\": \"drv_a\\u0000b\"}", sameOrigin(null));
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.json().get("detail").asText()).startsWith("api_key:");
        Reply wrongType = send("POST", "/web/sign-in", "{\"api_key\": 42}", sameOrigin(null));
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("detail").asText()).contains("api_key");
        Reply huge = send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", "x".repeat(10_000))), sameOrigin(null));
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().get("detail").asText()).startsWith("api_key: at most");

        // login CSRF: another site must not sign a victim's browser in as the attacker
        Reply foreign = send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", TestServer.ADMIN_KEY)),
                Map.of("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.header("set-cookie")).isNull();
    }

    @Test
    void signingOutEndsTheSessionAndClearsTheCookie() {
        Session s = signIn(TestServer.ADMIN_KEY);
        Map<String, String> forged = new LinkedHashMap<>(sameOrigin(s));
        forged.remove("X-Drover-CSRF");
        assertThat(send("POST", "/web/sign-out", "{}", forged).status()).isEqualTo(403);
        assertThat(get(s, "/api/v1/agent/runs").status()).isEqualTo(200);

        Reply out = send("POST", "/web/sign-out", "{}", sameOrigin(s));
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("set-cookie")).startsWith("drover_session=;").contains("Max-Age=0");
        Reply after = get(s, "/api/v1/agent/runs");
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().get("detail").asText()).startsWith("drover_session:");
        assertThat(get(s, "/web/session").status()).isEqualTo(401);
    }

    @Test
    void revokingTheKeyEndsEverySessionMadeFromIt() {
        Accounts.CreatedKey key = newUser("revoked-" + UUID.randomUUID());
        Session first = signIn(key.secret());
        Session second = signIn(key.secret());
        Session admin = signIn(TestServer.ADMIN_KEY);
        assertThat(get(first, "/api/v1/agent/runs").status()).isEqualTo(200);
        assertThat(server.server().accounts().revokeKey(key.id())).isTrue();
        assertThat(get(first, "/api/v1/agent/runs").status()).isEqualTo(401);
        assertThat(get(second, "/web/session").status()).isEqualTo(401);
        assertThat(get(admin, "/api/v1/agent/runs").status()).isEqualTo(200); // other keys' sessions live on
        assertThat(send("POST", "/web/sign-in", Api.toJson(Map.of("api_key", key.secret())), sameOrigin(null)).status())
                .isEqualTo(401);
    }

    @Test
    void aOneTimeLinkSignsInOnceAndOnlyWithinTenMinutes() {
        Accounts.CreatedKey key = newUser("link-" + UUID.randomUUID());
        String link = server.server().signInLink(key.id());
        assertThat(link).startsWith(base + "/sign-in#");
        String token = link.substring(link.indexOf('#') + 1);
        Reply used = send("POST", "/web/sign-in", Api.toJson(Map.of("token", token)), sameOrigin(null));
        assertThat(used.status()).as(used.toString()).isEqualTo(200);
        assertThat(used.json().get("email").asText()).isEqualTo(key.principal().email());
        Reply again = send("POST", "/web/sign-in", Api.toJson(Map.of("token", token)), sameOrigin(null));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.json().get("detail").asText()).startsWith("token:");

        String late = server.server().signInLink(key.id());
        clock.advance(WebSessions.LINK_LIFETIME.plusSeconds(1));
        assertThat(send("POST", "/web/sign-in", Api.toJson(Map.of("token", late.substring(late.indexOf('#') + 1))),
                sameOrigin(null)).status()).isEqualTo(401);
        // the link's token is stored hashed: the database cannot sign anybody in
        long stored = server.server().database().readOne(h -> h.createQuery(
                "SELECT COUNT(*) FROM web_sign_in_links WHERE token_hash = :t").bind("t", token).mapTo(Long.class).one());
        assertThat(stored).isZero();
    }

    @Test
    void aSessionEndsWhenIdleTooLongAndAfterItsAbsoluteLifetime() {
        Session idle = signIn(TestServer.ADMIN_KEY);
        clock.advance(WebSessions.IDLE.plusMinutes(1));
        assertThat(get(idle, "/api/v1/agent/runs").status()).isEqualTo(401);

        Session busy = signIn(TestServer.ADMIN_KEY);
        for (Duration spent = Duration.ZERO; spent.compareTo(WebSessions.ABSOLUTE) < 0; spent = spent.plusHours(6)) {
            assertThat(get(busy, "/api/v1/agent/runs").status()).as("after " + spent).isEqualTo(200);
            clock.advance(Duration.ofHours(6));
        }
        assertThat(get(busy, "/api/v1/agent/runs").status()).isEqualTo(401);
    }

    @Test
    void aSessionSeesExactlyWhatItsPrincipalSees() {
        String adminRun = server.admin().createRun("the admin team's run");
        Session stranger = signIn(newUser("stranger-" + UUID.randomUUID()).secret());
        Reply foreign = get(stranger, "/api/v1/agent/runs/" + adminRun);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(get(stranger, "/api/v1/agent/runs").json().get("runs")).isEmpty();
        Map<String, String> cancel = sameOrigin(stranger);
        assertThat(send("POST", "/api/v1/agent/runs/" + adminRun + "/cancel", "{}", cancel).status()).isEqualTo(404);
    }

    @Test
    void everyPageCarriesAStrictContentSecurityPolicyAndIsNeverCached() {
        for (String path : new String[] {"/runs", "/runs/new", "/runs/" + UUID.randomUUID(), "/sign-in", "/environments",
                "/schedules", "/agents", "/models", "/workers", "/keys", "/sessions/" + UUID.randomUUID()}) {
            Reply page = send("GET", path, null, Map.of());
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.header("content-type")).as(path).startsWith("text/html");
            assertThat(page.header("content-security-policy")).as(path).isEqualTo(WebService.CSP)
                    .contains("script-src 'self';").doesNotContain("unsafe-inline").contains("frame-ancestors 'none'");
            assertThat(page.header("x-content-type-options")).isEqualTo("nosniff");
            assertThat(page.header("referrer-policy")).isEqualTo("same-origin");
            assertThat(page.header("cache-control")).isEqualTo("no-store");
            // no inline script or style: every script has a src, no element has a style attribute
            assertThat(page.raw().body()).doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContain("style=");
        }
        // / is the runs page itself (no redirect: a round trip less before the first paint)
        Reply home = send("GET", "/", null, Map.of());
        assertThat(home.status()).isEqualTo(200);
        assertThat(home.header("content-security-policy")).isEqualTo(WebService.CSP);

        String html = send("GET", "/runs", null, Map.of()).raw().body();
        String script = html.replaceFirst("(?s).*<script type=\"module\" src=\"([^\"]+)\".*", "$1");
        assertThat(script).matches("/web/assets/[0-9a-f]{12}/app\\.js");
        Reply asset = send("GET", script, null, Map.of());
        assertThat(asset.status()).isEqualTo(200);
        assertThat(asset.header("content-type")).startsWith("text/javascript");
        assertThat(asset.header("cache-control")).isEqualTo("public, max-age=31536000, immutable");
        assertThat(asset.header("content-security-policy")).isEqualTo(WebService.CSP);
        assertThat(send("GET", "/web/assets/0/app.js", null, Map.of()).header("cache-control")).isEqualTo("no-cache");
        Reply missing = send("GET", script.replace("app.js", "index.html"), null, Map.of());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("content-type")).isEqualTo("application/problem+json");
    }

    @Test
    void theRunsPageArrivesWithTheSignedInPersonsFirstPageOfRunsRenderedOnTheServer() {
        Accounts.CreatedKey key = newUser("painter-" + UUID.randomUUID());
        Api own = new Api(base + "/api/v1", key.secret());
        String older = own.createRun(Map.of("prompt", "Migrate the billing tables to cents", "title", "Migrate the billing tables"));
        String newer = own.createRun(Map.of("prompt", "p", "title", "Fix the flaky login test"));
        String adminRun = server.admin().createRun("the admin team's secret run");
        Session s = signIn(key.secret());

        for (String path : new String[] {"/runs", "/"}) {
            Reply page = get(s, path);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("content-security-policy")).isEqualTo(WebService.CSP);
            assertThat(page.header("cache-control")).isEqualTo("no-store");
            String html = page.raw().body();
            // the rows the API lists for this person; nothing of another team
            assertThat(html).contains("data-run-id=\"" + newer + "\"").contains("data-run-id=\"" + older + "\"")
                    .contains(">Fix the flaky login test</a>").doesNotContain(adminRun).doesNotContain("secret run");
            // the page the script takes over travels with it, and no list call is preloaded any more
            assertThat(html).contains("data-runs-page=\"").doesNotContain("rel=\"preload\"");
            assertThat(html).doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContain("style=");
        }
        // the query string's filters are the API's
        String filtered = get(s, "/runs?q=billing").raw().body();
        assertThat(filtered).contains(older).doesNotContain(newer).contains("<details class=\"filters\" open>");
        // a page of one: the run the API puts first, and the button for more
        String first = own.get("/agent/runs?limit=1").json().get("runs").get(0).get("run_id").asText();
        String other = first.equals(newer) ? older : newer;
        assertThat(get(s, "/runs?limit=1").raw().body()).contains("data-run-id=\"" + first)
                .doesNotContain("data-run-id=\"" + other).contains("<button type=\"button\" id=\"load-more\">");
    }

    @Test
    void anAgentsMarkupInATitleIsTextInTheServerRenderedRunsPage() {
        Accounts.CreatedKey key = newUser("xss-" + UUID.randomUUID());
        String payload = "<img src=x onerror=\"alert(1)\"><script>alert(2)</script>\" onmouseover=\"alert(3)";
        Api own = new Api(base + "/api/v1", key.secret());
        own.createRun(Map.of("prompt", "p", "title", payload));
        // the shell's own placeholders in a title stay text: the page is never filled by searching filled text
        own.createRun(Map.of("prompt", "p", "title", "{{MAIN}} {{MAIN_ATTRIBUTES}} {{NAV}}"));
        String html = get(signIn(key.secret()), "/runs").raw().body();
        assertThat(html).doesNotContain("<img src=x").doesNotContain("<script>alert").doesNotContain("\" onmouseover")
                .contains("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
        assertThat(html).contains(">{{MAIN}} {{MAIN_ATTRIBUTES}} {{NAV}}</a>");
        assertThat(html.split("<h1>Runs</h1>", -1)).hasSize(2);
        assertThat(html.split("<nav id=\"nav\"", -1)).hasSize(2);
    }

    @Test
    void signedOutOrWithAFilterTheApiRefusesTheRunsPageIsThePlainShell() {
        Accounts.CreatedKey key = newUser("shell-" + UUID.randomUUID());
        String run = new Api(base + "/api/v1", key.secret()).createRun("a run of its own");
        Session s = signIn(key.secret());
        // a bad filter: the script lists and shows the API's 400 next to the field, as without a rendered page
        assertThat(get(s, "/runs?sort_by=nonsense").raw().body()).doesNotContain(run).contains("Loading…");
        assertThat(send("GET", "/runs", null, Map.of()).raw().body()).doesNotContain("data-run-id").contains("Loading…");
        assertThat(send("POST", "/web/sign-out", "{}", sameOrigin(s)).status()).isLessThan(300);
        assertThat(get(s, "/runs").raw().body()).doesNotContain(run).doesNotContain("data-runs-page");
    }

    @Test
    void behindHttpsTheCookieIsSecure() {
        ServerConfig c = backend().freshConfig();
        ServerConfig https = new ServerConfig(c.host(), 0, c.dataDir(), c.databaseUrl(), c.databaseUser(),
                c.databasePassword(), "https://drover.example", c.adminApiKey(), c.modelsFile(), c.teamConcurrency(),
                c.env(), c.leaseDuration(), c.gitBaseUrl(), c.forge(), c.forgeApiUrl());
        try (TestServer tls = TestServer.start(backend(), https)) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tls.server().port() + "/web/sign-in"))
                    .header("Content-Type", "application/json").header("Origin", "https://drover.example")
                    .POST(HttpRequest.BodyPublishers.ofString(Api.toJson(Map.of("api_key", TestServer.ADMIN_KEY))))
                    .build();
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("set-cookie").orElseThrow()).contains("; Secure").contains("; HttpOnly");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
