package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /agent/runs}: every filter, every sort, keyset paging, and paging while runs change. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunsListTest {
    TestServer server;

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        // the skills runs name, in real repositories: a skill run is created only if its skill exists
        BareRepos repos = new BareRepos(java.nio.file.Files.createTempDirectory("drover-repos-"));
        repos.create("acme", "tools", Map.of(".agents/skills/deploy/SKILL.md", "Deploy the service."));
        repos.create("o", "r", Map.of(".agents/skills/zeta/SKILL.md", "Z.", ".agents/skills/alpha/SKILL.md", "A.",
                ".agents/skills/s0/SKILL.md", "S0.", ".agents/skills/s1/SKILL.md", "S1."));
        server = TestServer.start(backend(), backend().freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-test"))
                .withGitBaseUrl(repos.root().toString()));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static String create(Api api, Map<String, Object> body) {
        return create(api, body, Map.of());
    }

    private static String create(Api api, Map<String, Object> body, Map<String, String> headers) {
        Api.Reply r = api.post("/agent/runs", Api.toJson(body), headers);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private static List<String> list(Api api, String query) {
        Api.Reply r = api.get("/agent/runs?limit=500&" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return RunsApiTest.ids(r.json());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void everyFilterSelectsExactlyTheMatchingRuns() {
        Api api = server.newTenant("filters-" + UUID.randomUUID());
        String plain = create(api, Map.of("prompt", "Plain run about Databases", "title", "Alpha 100% done"));
        String named = create(api, Map.of("prompt", "named", "config", Map.of("name", "nightly", "model_id", "gpt-5")));
        String env = api.createEnvironment(Map.of("name", "filters", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "tools"))));
        String envRun = create(api, Map.of("prompt", "env", "config", Map.of("environment_id", env)));
        String skilled = create(api, Map.of("skill", "acme/tools:.agents/skills/deploy/SKILL.md"));
        String fromCli = create(api, Map.of("prompt", "cli"), Map.of("X-Drover-Source", "CLI"));
        String local = create(api, Map.of("prompt", "local"), Map.of("X-Drover-Execution-Location", "LOCAL"));
        String cancelled = create(api, Map.of("prompt", "to cancel"));
        assertThat(api.post("/agent/runs/" + cancelled + "/cancel", (String) null).status()).isEqualTo(200);
        Set<String> all = Set.of(plain, named, envRun, skilled, fromCli, local, cancelled);

        assertThat(list(api, "")).containsExactlyInAnyOrderElementsOf(all);
        assertThat(list(api, "state=CANCELLED")).containsExactly(cancelled);
        assertThat(list(api, "state=QUEUED&state=CANCELLED")).containsExactlyInAnyOrderElementsOf(all);
        assertThat(list(api, "state=QUEUED,CANCELLED")).containsExactlyInAnyOrderElementsOf(all);
        assertThat(list(api, "name=nightly")).containsExactly(named);
        assertThat(list(api, "model_id=gpt-5")).containsExactly(named);
        assertThat(list(api, "source=CLI")).containsExactly(fromCli);
        assertThat(list(api, "source=API")).doesNotContain(fromCli).contains(plain);
        assertThat(list(api, "execution_location=LOCAL")).containsExactly(local);
        assertThat(list(api, "environment_id=" + env)).containsExactly(envRun);
        assertThat(list(api, "environment_id=empty-environment")).doesNotContain(envRun).hasSize(6);
        assertThat(list(api, "skill_spec=" + enc("acme/tools:.agents/skills/deploy/SKILL.md"))).containsExactly(skilled);
        assertThat(list(api, "skill=" + enc("acme/tools:.agents/skills/deploy/SKILL.md"))).containsExactly(skilled);
        assertThat(list(api, "schedule_id=" + UUID.randomUUID())).isEmpty();
        assertThat(list(api, "q=databases")).containsExactly(plain);
        assertThat(list(api, "q=" + enc("100%"))).containsExactly(plain);
        assertThat(list(api, "q=" + enc("0%d"))).isEmpty();
        assertThat(list(api, "q=DEPLOY")).containsExactly(skilled);
        assertThat(list(api, "q=Da")).as("short queries fall back to a scan").containsExactly(plain);
        assertThat(list(api, "q=" + enc("done Plain"))).as("a match never straddles two fields").isEmpty();
        String me = api.get("/agent/runs/" + plain).json().get("creator").get("uid").asText();
        assertThat(list(api, "creator=" + me)).containsExactlyInAnyOrderElementsOf(all);
        assertThat(list(api, "creator=" + UUID.randomUUID())).isEmpty();

        Instant afterAll = Instant.parse(api.get("/agent/runs/" + cancelled).json().get("updated_at").asText());
        Instant skilledAt = Instant.parse(api.get("/agent/runs/" + skilled).json().get("created_at").asText());
        assertThat(list(api, "created_after=" + enc(skilledAt.toString())))
                .containsExactlyInAnyOrder(fromCli, local, cancelled);
        assertThat(list(api, "created_before=" + enc(skilledAt.toString()))).containsExactlyInAnyOrder(plain, named, envRun);
        assertThat(list(api, "updated_after=" + enc(afterAll.minusNanos(1000).toString()))).containsExactly(cancelled);

        // as Artifacts.record writes it (the worker API is tested elsewhere): the row and the run's flag
        server.server().database().write(h -> h.createUpdate("""
                        INSERT INTO artifacts (id, run_id, artifact_type, data_json, created_at)
                        VALUES (:id, :run, 'PLAN', '{"document_uid":"d1","title":"The plan"}', 1)""")
                .bind("id", UUID.randomUUID().toString()).bind("run", named).execute()
                + h.createUpdate("UPDATE runs SET has_artifacts = TRUE WHERE id = :run").bind("run", named).execute());
        assertThat(list(api, "artifact_type=PLAN")).containsExactly(named);
        assertThat(list(api, "artifact_type=FILE")).isEmpty();
        JsonNode withArtifact = api.get("/agent/runs/" + named).json();
        assertThat(withArtifact.get("artifacts").get(0).get("artifact_type").asText()).isEqualTo("PLAN");
        assertThat(withArtifact.get("artifacts").get(0).get("data").get("title").asText()).isEqualTo("The plan");
    }

    @Test
    void sortOrdersAreHonouredAndRunsWithoutASkillComeLastForAgent() {
        Api api = server.newTenant("sorts-" + UUID.randomUUID());
        api.createEnvironment(Map.of("name", "skills", "github_repos", List.of(Map.of("owner", "o", "repo", "r"))));
        String b = create(api, Map.of("prompt", "p", "title", "banana"));
        String a = create(api, Map.of("prompt", "p", "title", "apple"));
        String c = create(api, Map.of("prompt", "p", "title", "cherry"));
        String zeta = create(api, Map.of("skill", "o/r:zeta", "title", "z"));
        String alpha = create(api, Map.of("skill", "o/r:.agents/skills/alpha/SKILL.md", "title", "y"));
        assertThat(list(api, "sort_by=title&sort_order=asc")).containsExactly(a, b, c, alpha, zeta);
        assertThat(list(api, "sort_by=title&sort_order=desc")).containsExactly(zeta, alpha, c, b, a);
        assertThat(list(api, "sort_by=created_at&sort_order=asc")).containsExactly(b, a, c, zeta, alpha);
        assertThat(list(api, "sort_by=created_at")).containsExactly(alpha, zeta, c, a, b);
        assertThat(list(api, "")).containsExactly(alpha, zeta, c, a, b);
        assertThat(list(api, "sort_by=agent&sort_order=asc").subList(0, 2)).containsExactly(alpha, zeta);
        assertThat(list(api, "sort_by=agent&sort_order=desc").subList(0, 2)).containsExactly(zeta, alpha);
        assertThat(list(api, "sort_by=agent&sort_order=desc").subList(2, 5)).containsExactlyInAnyOrder(a, b, c);
    }

    @ParameterizedTest(name = "sort_by={0} sort_order={1}")
    @CsvSource({"updated_at,desc", "updated_at,asc", "created_at,desc", "created_at,asc", "title,asc", "title,desc",
        "agent,asc", "agent,desc"})
    void pagingVisitsEveryRunOnceInTheSameOrderAsOneBigPage(String sortBy, String order) {
        Api api = server.newTenant("pages-" + UUID.randomUUID());
        api.createEnvironment(Map.of("name", "skills", "github_repos", List.of(Map.of("owner", "o", "repo", "r"))));
        for (int i = 0; i < 23; i++) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("prompt", "p" + i);
            body.put("title", "t" + (i % 4)); // ties on the key: the id breaks them
            if (i % 3 == 0) {
                body.put("skill", "o/r:s" + (i % 2));
            }
            create(api, body);
        }
        String q = "sort_by=" + sortBy + "&sort_order=" + order;
        List<String> whole = list(api, q);
        assertThat(whole).hasSize(23);
        assertThat(pageThrough(api, q, 5, null)).containsExactlyElementsOf(whole);
    }

    /** Follows cursors until the end; {@code between} runs after every page. */
    private static List<String> pageThrough(Api api, String query, int limit, Runnable between) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 100; page++) {
            Api.Reply r = api.get("/agent/runs?limit=" + limit + "&" + query + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            seen.addAll(RunsApiTest.ids(r.json()));
            JsonNode info = r.json().get("page_info");
            if (!info.get("has_next_page").asBoolean()) {
                assertThat(info.has("next_cursor")).isFalse();
                return seen;
            }
            cursor = info.get("next_cursor").asText();
            if (between != null) {
                between.run();
            }
        }
        throw new AssertionError("paging did not end");
    }

    @ParameterizedTest(name = "sort_order={0}")
    @CsvSource({"desc", "asc"})
    void runsUpdatedAndCreatedWhilePagingAreNeitherRepeatedNorSkipped(String order) {
        Api api = server.newTenant("moving-" + UUID.randomUUID());
        List<String> existing = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            existing.add(create(api, Map.of("prompt", "run " + i)));
        }
        List<String> toTouch = new ArrayList<>(existing);
        int[] step = {0};
        List<String> seen = pageThrough(api, "sort_by=updated_at&sort_order=" + order, 4, () -> {
            // every page: move two runs (seen or not) to the newest update time, one of them by two events (a
            // cancel, then a follow-up that continues it), and create a new one
            for (int i = 0; i < 2 && step[0] < toTouch.size(); i++, step[0] += 3) {
                api.post("/agent/runs/" + toTouch.get(step[0]) + "/cancel", (String) null);
                if (i == 0) {
                    Api.Reply followup = api.post("/agent/runs/" + toTouch.get(step[0]) + "/followups",
                            "{\"message\": \"and once more\"}");
                    assertThat(followup.status()).as(followup.toString()).isEqualTo(200);
                }
            }
            create(api, Map.of("prompt", "newcomer"));
        });
        assertThat(new HashSet<>(seen)).as("no run twice").hasSize(seen.size());
        assertThat(seen).as("exactly the runs that existed when paging began").containsExactlyInAnyOrderElementsOf(existing);
    }

    @ParameterizedTest(name = "sort_by={0} sort_order={1}")
    @CsvSource({"updated_at,desc", "updated_at,asc", "created_at,desc", "title,asc", "agent,asc", "agent,desc"})
    void searchAndMetadataListingsPageExactlyAndNeverShowAnotherTeamsMatches(String sortBy, String order) {
        // on SQLite these few matches are looked up by id rather than found by walking the sort's index
        // (RunRepository.fewMatches): the same runs, in the same order, page by page, and only the caller's
        Api api = server.newTenant("few-" + UUID.randomUUID());
        Api stranger = server.newTenant("few-stranger-" + UUID.randomUUID());
        api.createEnvironment(Map.of("name", "skills", "github_repos", List.of(Map.of("owner", "o", "repo", "r"))));
        String word = "zebracorn" + UUID.randomUUID().toString().substring(0, 8);
        List<String> matching = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("prompt", "Tame the " + word + " number " + i);
            body.put("title", "t" + (i % 3));
            body.put("metadata", Map.of("herd", word));
            if (i % 2 == 0) {
                body.put("skill", "o/r:s" + (i % 4 / 2));
            }
            matching.add(create(api, body));
        }
        create(api, Map.of("prompt", "an unrelated run", "metadata", Map.of("herd", "other")));
        List<String> foreign = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            foreign.add(create(stranger, Map.of("prompt", "Their " + word, "metadata", Map.of("herd", word))));
        }
        String sort = "sort_by=" + sortBy + "&sort_order=" + order;
        for (String filter : List.of("q=" + word, "q=" + word.toUpperCase(java.util.Locale.ROOT),
                "metadata%5Bherd%5D=" + word, "q=" + word + "&metadata%5Bherd%5D=" + word)) {
            List<String> whole = list(api, filter + "&" + sort);
            assertThat(whole).as(filter).containsExactlyInAnyOrderElementsOf(matching).doesNotContainAnyElementsOf(foreign);
            assertThat(pageThrough(api, filter + "&" + sort, 2, null)).as(filter).containsExactlyElementsOf(whole);
        }
        assertThat(list(stranger, "q=" + word)).containsExactlyInAnyOrderElementsOf(foreign);
    }

    @ParameterizedTest(name = "sort_by={0} sort_order={1}")
    @CsvSource({"updated_at,desc", "created_at,asc", "title,desc", "agent,asc", "agent,desc"})
    void severalStatesAreReadOneRangeEachAndPageAsOneListing(String sortBy, String order) {
        Api api = server.newTenant("states-" + UUID.randomUUID());
        api.createEnvironment(Map.of("name", "skills", "github_repos", List.of(Map.of("owner", "o", "repo", "r"))));
        List<String> queued = new ArrayList<>();
        List<String> cancelled = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("prompt", "p" + i);
            body.put("title", "t" + (i % 3));
            if (i % 3 == 0) {
                body.put("skill", "o/r:s" + (i % 2));
            }
            String id = create(api, body);
            if (i % 2 == 0) {
                assertThat(api.post("/agent/runs/" + id + "/cancel", (String) null).status()).isEqualTo(200);
                cancelled.add(id);
            } else {
                queued.add(id);
            }
        }
        String sort = "sort_by=" + sortBy + "&sort_order=" + order;
        List<String> everything = list(api, sort);
        List<String> both = list(api, "state=QUEUED&state=CANCELLED&" + sort);
        assertThat(both).as("the same order as the unfiltered listing").containsExactlyElementsOf(everything);
        assertThat(pageThrough(api, "state=QUEUED&state=CANCELLED&" + sort, 5, null)).containsExactlyElementsOf(both);
        assertThat(pageThrough(api, "state=CANCELLED&state=FAILED&" + sort, 2, null))
                .containsExactlyElementsOf(everything.stream().filter(cancelled::contains).toList());
        assertThat(list(api, "state=QUEUED&" + sort)).containsExactlyElementsOf(everything.stream().filter(queued::contains).toList());
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', value = {
        "limit=0|limit", "limit=501|limit", "limit=ten|limit", "sort_by=random|sort_by", "sort_order=up|sort_order",
        "state=DONE|state", "source=EMAIL|source", "execution_location=MOON|execution_location",
        "artifact_type=VIDEO|artifact_type", "created_after=yesterday|created_after", "updated_after=2026-13-01|updated_after",
        "cursor=garbage!!|cursor", "cursor=eyJmb28iOjF9|cursor", "skill=a&skill_spec=b|skill",
        "metadata=x|metadata", "metadata%5B%5D=x|metadata[]", "metadata%5Bbad%20key%5D=x|metadata[bad key]",
        "metadata%5Ba%5D%5Bb%5D=x|metadata[a][b]", "metadata%5Bk%5D=1&metadata%5Bk%5D=2|metadata[k]"})
    void badParametersAreProblemsNamingTheParameter(String query, String parameter) {
        Api.Reply r = server.admin().get("/agent/runs?" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).startsWith(parameter + ":");
    }

    @Test
    void aCursorFromAnotherQueryIsRefused() {
        Api api = server.newTenant("cursor-" + UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            create(api, Map.of("prompt", "p" + i, "config", Map.of("name", "n")));
        }
        String cursor = api.get("/agent/runs?limit=1&name=n").json().get("page_info").get("next_cursor").asText();
        assertThat(api.get("/agent/runs?limit=1&name=n&cursor=" + cursor).status()).isEqualTo(200);
        assertThat(api.get("/agent/runs?limit=1&name=other&cursor=" + cursor).status()).isEqualTo(400);
        assertThat(api.get("/agent/runs?limit=1&name=n&sort_by=title&cursor=" + cursor).status()).isEqualTo(400);
    }

    @Test
    void anAncestorFilterOnAForeignRunIsNotFound() {
        Api owner = server.newTenant("owner-" + UUID.randomUUID());
        Api stranger = server.newTenant("stranger-" + UUID.randomUUID());
        String run = owner.createRun("mine");
        Api.Reply r = stranger.get("/agent/runs?ancestor_run_id=" + run);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).startsWith("ancestor_run_id:");
        assertThat(RunsApiTest.ids(stranger.get("/agent/runs").json())).doesNotContain(run);
    }
}
