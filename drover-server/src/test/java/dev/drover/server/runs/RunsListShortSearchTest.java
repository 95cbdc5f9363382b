package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.store.Sql;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code q} of one and two characters against its definition, on random text: a case-insensitive substring of the
 * title, the prompt or the skill spec. A rare one is found from an index (ShortTextSearch: the trigram index's
 * vocabulary and the indexes of the text's end on SQLite, the characters and pairs of run_text_terms on PostgreSQL),
 * a common one by the walk; every path must give exactly the runs the definition gives, page by page as in one big
 * page, and never another team's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunsListShortSearchTest {
    /** Few letters, so pairs repeat; LIKE's wildcards and its escape; upper case; a space. */
    private static final String ALPHABET = "abcQz %_!- ";
    /**
     * Stored as {@code o/r:.agents/skills/<name>/SKILL.md}: the d and the md that end a run's search text begin no
     * trigram and are in no other text, nor is omega9's 9.
     */
    private static final List<String> SKILLS = List.of("o/r:zeta", "o/r:alpha", "o/r:omega9");

    TestServer server;

    abstract Backend backend();

    @BeforeAll
    void start() throws Exception {
        BareRepos repos = new BareRepos(java.nio.file.Files.createTempDirectory("drover-repos-"));
        repos.create("o", "r", Map.of(".agents/skills/zeta/SKILL.md", "Z.", ".agents/skills/alpha/SKILL.md", "A.",
                ".agents/skills/omega9/SKILL.md", "O."));
        server = TestServer.start(backend(), backend().freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-test"))
                .withGitBaseUrl(repos.root().toString()));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private record Made(String id, String title, String prompt, String skill) {
        boolean contains(String q) {
            String needle = q.toLowerCase(Locale.ROOT);
            return title.toLowerCase(Locale.ROOT).contains(needle) || prompt.toLowerCase(Locale.ROOT).contains(needle)
                    || (skill != null && skill.toLowerCase(Locale.ROOT).contains(needle));
        }
    }

    private static String text(Random random, int min, int max) {
        StringBuilder s = new StringBuilder();
        for (int n = min + random.nextInt(max - min + 1); s.length() < n; ) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString().strip().isEmpty() ? "x" + s : s.toString();
    }

    private static List<Made> createRandomRuns(Api api, Random random, int n) {
        List<Made> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> body = new LinkedHashMap<>();
            String title = text(random, 1, 6);
            String prompt = text(random, 1, 10);
            String skill = random.nextInt(3) == 0 ? SKILLS.get(random.nextInt(SKILLS.size())) : null;
            body.put("title", title);
            body.put("prompt", prompt);
            if (skill != null) {
                body.put("skill", skill);
            }
            Api.Reply r = api.post("/agent/runs", Api.toJson(body));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode run = api.get("/agent/runs/" + r.json().get("run_id").asText()).json();
            // as stored: the server may trim what it was given
            String stored = skill == null ? null : "o/r:.agents/skills/" + skill.substring("o/r:".length()) + "/SKILL.md";
            made.add(new Made(run.get("run_id").asText(), run.get("title").asText(), run.path("prompt").asText(prompt), stored));
        }
        return made;
    }

    static List<String> listAll(Api api, String query) {
        Api.Reply r = api.get("/agent/runs?limit=500&" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return RunsApiTest.ids(r.json());
    }

    private static List<String> pageThrough(Api api, String query, int limit) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 400; page++) {
            Api.Reply r = api.get("/agent/runs?limit=" + limit + "&" + query + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            seen.addAll(RunsApiTest.ids(r.json()));
            JsonNode info = r.json().get("page_info");
            if (!info.get("has_next_page").asBoolean()) {
                return seen;
            }
            cursor = URLEncoder.encode(info.get("next_cursor").asText(), StandardCharsets.UTF_8);
        }
        throw new AssertionError("paging did not end");
    }

    @Test
    void aQueryOrMetadataPairWithOverAThousandMatchesIsTestedRunByRunAndSelectsTheSameRuns() {
        // at RunRepository.FEW_MATCHES matches or more the walk tests q with LIKE / ILIKE instead of reading the
        // trigram index's matches (commonText), and on PostgreSQL a metadata pair against a hashed set of its
        // matches (manyMetadataMatches): the same runs, in the same order, page by page
        Api api = server.newTenant("common-" + UUID.randomUUID());
        Api stranger = server.newTenant("common-stranger-" + UUID.randomUUID());
        String word = "Quokka" + UUID.randomUUID().toString().substring(0, 6);
        List<String> matching = new ArrayList<>();
        for (int i = 0; i < RunRepository.FEW_MATCHES + 20; i++) {
            String prompt = (i % 3 == 0 ? word.toUpperCase(Locale.ROOT) : i % 3 == 1 ? word : "x" + word.toLowerCase(Locale.ROOT))
                    + " number " + i;
            Map<String, Object> herd = Map.of("herd", word);
            Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("prompt", prompt, "title", "t" + i % 7,
                    "metadata", herd)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            matching.add(r.json().get("run_id").asText());
            if (i % 100 == 0) {
                api.post("/agent/runs", Api.toJson(Map.of("prompt", "unrelated " + i, "metadata", Map.of("herd", "x"))));
                stranger.post("/agent/runs", Api.toJson(Map.of("prompt", "their " + word + " " + i, "metadata", herd)));
            }
        }
        String query = "q=" + word.substring(2, 9).toLowerCase(Locale.ROOT);
        String pair = "metadata%5Bherd%5D=" + word;
        for (String sort : List.of("sort_by=updated_at&sort_order=desc", "sort_by=title&sort_order=asc")) {
            List<String> all = pageThrough(api, sort, 500); // the unfiltered listing
            List<String> expected = all.stream().filter(matching::contains).toList();
            assertThat(expected).hasSize(matching.size());
            for (String filter : List.of(query, pair, query + "&" + pair)) {
                assertThat(pageThrough(api, filter + "&" + sort, 500)).as("%s %s", filter, sort)
                        .containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void aPairWithOverAThousandMatchesPagedWhileRunsChangeAndArriveShowsEachRunOfTheSnapshotOnce() {
        // on PostgreSQL the pages of such a pair are found from the sort's index alone (RunListSql.Access
        // .IDS_FROM_INDEX), where "not updated / not created since the snapshot" become tests of the run's id
        // against the events above the snapshot: a run cancelled or created between two pages must neither come
        // back nor appear
        Api api = server.newTenant("moving-herd-" + UUID.randomUUID());
        Map<String, Object> herd = Map.of("herd", "gnu" + UUID.randomUUID().toString().substring(0, 8));
        List<String> existing = new ArrayList<>();
        for (int i = 0; i < RunRepository.FEW_MATCHES + 20; i++) {
            Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("prompt", "graze " + i, "title", "t" + i % 7,
                    "metadata", herd)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            existing.add(r.json().get("run_id").asText());
        }
        String pair = "metadata%5Bherd%5D=" + herd.get("herd");
        List<String> toCancel = new ArrayList<>(existing);
        Collections.shuffle(toCancel, new Random(7));
        for (String sort : List.of("sort_by=updated_at&sort_order=asc", "sort_by=updated_at&sort_order=desc",
                "sort_by=title&sort_order=asc")) {
            List<String> atStart = List.copyOf(existing);
            List<String> seen = new ArrayList<>();
            String cursor = null;
            for (int page = 0; ; page++) {
                assertThat(page).as("paging ends").isLessThan(100);
                Api.Reply r = api.get("/agent/runs?limit=100&" + pair + "&" + sort
                        + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                seen.addAll(RunsApiTest.ids(r.json()));
                JsonNode info = r.json().get("page_info");
                if (!info.get("has_next_page").asBoolean()) {
                    break;
                }
                cursor = URLEncoder.encode(info.get("next_cursor").asText(), StandardCharsets.UTF_8);
                for (int i = 0; i < 2; i++) { // moved to the newest update time, seen or not
                    assertThat(api.post("/agent/runs/" + toCancel.removeLast() + "/cancel", (String) null).status())
                            .isEqualTo(200);
                }
                // a newcomer of the pair: the newest by update time, and last by title
                Api.Reply made = api.post("/agent/runs", Api.toJson(Map.of("prompt", "late", "title", "zz late",
                        "metadata", herd)));
                existing.add(made.json().get("run_id").asText());
            }
            assertThat(new HashSet<>(seen)).as("%s: no run twice", sort).hasSize(seen.size());
            assertThat(seen).as("%s: exactly the runs of the snapshot", sort).containsExactlyInAnyOrderElementsOf(atStart);
        }
    }

    @Test
    void aPairOfCharactersEveryRunHasButFewHaveSideBySideIsLookedUpNotTestedOnEveryRun() {
        // j and v are in no other test's text; every run here has both, two have them side by side and one across
        // two fields, which is not a match: the candidates must be those two, not every run with a j and a v
        Api api = server.newTenant("pair-" + UUID.randomUUID());
        List<String> sideBySide = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String title = i == 7 ? "Title JV" : i == 8 ? "ends with j" : "title " + i;
            String prompt = i == 8 ? "v starts the prompt" : i == 21 ? "a jvm, " + i : "j and v, " + i;
            Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("title", title, "prompt", prompt)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            if (i == 7 || i == 21) {
                sideBySide.add(r.json().get("run_id").asText());
            }
        }
        var db = server.server().database();
        List<String> candidates = db.read(h -> {
            Sql where = ShortTextSearch.candidates(h, db.dialect(), "jV");
            assertThat(where).as("a rare pair is looked up").isNotNull();
            var query = h.createQuery("SELECT r.id FROM runs r WHERE " + where.text());
            where.params().forEach(query::bind);
            return query.mapTo(String.class).list();
        });
        assertThat(candidates).containsExactlyInAnyOrderElementsOf(sideBySide);
        assertThat(listAll(api, "q=jV")).containsExactlyInAnyOrderElementsOf(sideBySide);
    }

    @Test
    void oneAndTwoCharacterQueriesSelectExactlyTheRunsContainingThemInEverySortAndPage() {
        Random random = new Random(13);
        Api api = server.newTenant("short-" + UUID.randomUUID());
        Api stranger = server.newTenant("short-stranger-" + UUID.randomUUID());
        for (Api a : List.of(api, stranger)) {
            a.createEnvironment(Map.of("name", "skills", "github_repos", List.of(Map.of("owner", "o", "repo", "r"))));
        }
        List<Made> mine = createRandomRuns(api, random, 30);
        List<String> theirs = createRandomRuns(stranger, random, 10).stream().map(Made::id).toList();
        List<String> queries = new ArrayList<>(List.of("ta", "TA", "%", "_", "z%", "a ", "Qq", "zz", "ph", "xy", "r:",
                "d", "D", "md", "9", "a9", "#", "q", "Q", "-", " ", "!", "y"));
        for (int i = 0; i < 5; i++) { // and random pairs of the alphabet
            queries.add("" + ALPHABET.charAt(random.nextInt(ALPHABET.length())) + ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        assertThat(mine).as("a run of omega9").anyMatch(m -> "o/r:.agents/skills/omega9/SKILL.md".equals(m.skill()));
        for (String q : queries) {
            List<String> expected = mine.stream().filter(m -> m.contains(q)).map(Made::id).toList();
            String query = "q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
            for (String sort : List.of("sort_by=updated_at&sort_order=desc", "sort_by=agent&sort_order=desc")) {
                List<String> whole = listAll(api, query + "&" + sort);
                assertThat(whole).as("q=%s %s", q, sort).containsExactlyInAnyOrderElementsOf(expected)
                        .doesNotContainAnyElementsOf(theirs);
                assertThat(pageThrough(api, query + "&" + sort, 4)).as("q=%s %s paged", q, sort)
                        .containsExactlyElementsOf(whole);
            }
            // the same order as the unfiltered listing, filtered: the plan changes nothing but which runs are read
            List<String> all = listAll(api, "sort_by=title&sort_order=asc");
            assertThat(listAll(api, query + "&sort_by=title&sort_order=asc")).as("q=%s order", q)
                    .containsExactlyElementsOf(all.stream().filter(expected::contains).toList());
        }
    }
}
