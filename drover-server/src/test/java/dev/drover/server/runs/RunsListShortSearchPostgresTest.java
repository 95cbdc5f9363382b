package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.store.Sql;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class RunsListShortSearchPostgresTest extends RunsListShortSearchTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    /** A run's stored text with the terms stored for it. */
    private record Stored(String id, String title, String prompt, String skillSpec, int[] terms) {}

    private static List<Stored> stored(Handle h, List<String> ids) {
        return h.createQuery("""
                        SELECT r.id, r.title, r.prompt, r.skill_spec, t.terms FROM runs r
                        LEFT JOIN run_text_terms t ON t.run_id = r.id WHERE r.id IN (<ids>)""")
                .bindList("ids", ids)
                .map((rs, ctx) -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getArray(5) == null ? null
                                : Arrays.stream((Integer[]) rs.getArray(5).getArray()).mapToInt(Integer::intValue).toArray()))
                .list();
    }

    /** ShortTextSearch's candidates among {@code among}, read on {@code h}; null when it leaves q to the walk. */
    private List<String> candidates(Handle h, String q, List<String> among) {
        Sql where = ShortTextSearch.candidates(h, server.server().database().dialect(), q);
        if (where == null) {
            return null;
        }
        var query = h.createQuery("SELECT r.id FROM runs r WHERE " + where.text());
        where.params().forEach(query::bind);
        return query.mapTo(String.class).list().stream().filter(among::contains).toList();
    }

    private List<String> candidates(String q, List<String> among) {
        return server.server().database().read(h -> candidates(h, q, among));
    }

    /** Creates runs titled {@code title} with these prompts; returns their ids in order. */
    private static List<String> create(Api api, String title, List<String> prompts) {
        List<String> ids = new ArrayList<>();
        for (String prompt : prompts) {
            Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("title", title, "prompt", prompt)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            ids.add(r.json().get("run_id").asText());
        }
        return ids;
    }

    /** Waits for the server's RunTextTermsFollower to pass the creation of every run of {@code ids}. */
    private void awaitTerms(List<String> ids) {
        var db = server.server().database();
        Awaitility.await("the follower passing the runs' creation").atMost(Duration.ofSeconds(30))
                .until(() -> db.readOne(h -> h.createQuery("""
                                SELECT (SELECT through_seq FROM run_text_terms_progress) >= MAX(created_seq)
                                FROM runs WHERE id IN (<ids>)""").bindList("ids", ids).mapTo(Boolean.class).one()));
    }

    @Test
    void runsOlderThanTheirTermsGetTheTermsOfTheirStoredTextFromTheFollowerAndAreFoundByThem() {
        Api api = server.newTenant("terms-" + UUID.randomUUID());
        List<String> odd = create(api, "\u0130stanbul \u0131I stra\u017Fe \u212Aelvin \uD83D\uDE00a\tb",
                List.of("Hello, World!", "Fix x_y%z"));
        List<String> mine = new ArrayList<>(odd);
        List<String> sideBySide = create(api, "old run", List.of("a WY here", "a wy there"));
        mine.addAll(sideBySide);
        mine.addAll(create(api, "old run", List.of("w and y", "y, then w", "w", "y")));
        var db = server.server().database();
        // as V29 leaves a database with runs: no terms, the follower at the start of the log
        db.write(h -> {
            h.createUpdate("DELETE FROM run_text_terms WHERE run_id IN (<ids>)").bindList("ids", mine).execute();
            return h.createUpdate("UPDATE run_text_terms_progress SET through_seq = 0").execute();
        });
        awaitTerms(mine);

        List<Stored> stored = db.readOne(h -> stored(h, mine));
        assertThat(stored).hasSize(mine.size()).allSatisfy(s -> assertThat(s.terms()).as(s.title() + " " + s.prompt())
                .containsExactly(RunTextTerms.of(s.title(), s.prompt(), s.skillSpec())));
        assertThat(candidates("wY", mine)).containsExactlyInAnyOrderElementsOf(sideBySide);
        assertThat(RunsListShortSearchTest.listAll(api, "q=wY")).containsExactlyInAnyOrderElementsOf(sideBySide);
    }

    @Test
    void runsCreatedSinceTheFollowersLastPassAreCandidatesTooUnlessTheyAreMany() throws Exception {
        Api api = server.newTenant("recent-" + UUID.randomUUID());
        var db = server.server().database();
        long runs = db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM runs").mapTo(Long.class).one());
        if (runs < ShortTextSearch.MAX_OCCURRENCES) { // for the follower to be far behind below
            create(api, "filler", Collections.nCopies((int) (ShortTextSearch.MAX_OCCURRENCES - runs), "f"));
        }
        try (Connection held = db.postgresDataSource().orElseThrow().getConnection()) {
            held.setAutoCommit(false);
            Handle follower = Jdbi.open(held);
            // the progress row locked: the server's follower skips its passes until this rolls back
            follower.createQuery("SELECT through_seq FROM run_text_terms_progress FOR UPDATE").mapTo(Long.class).one();

            List<String> sideBySide = create(api, "new run", List.of("a KV here", "kv"));
            List<String> mine = new ArrayList<>(sideBySide);
            mine.addAll(create(api, "new run", List.of("k and v", "v k")));
            long written = db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM run_text_terms WHERE run_id IN (<ids>)")
                    .bindList("ids", mine).mapTo(Long.class).one());
            assertThat(written).as("no terms yet").isZero();
            assertThat(candidates("kv", mine)).containsExactlyInAnyOrderElementsOf(sideBySide);
            assertThat(RunsListShortSearchTest.listAll(api, "q=kv")).containsExactlyInAnyOrderElementsOf(sideBySide);

            // the follower far behind: with a thousand events or more not followed yet, q is left to the walk
            follower.createUpdate("UPDATE run_text_terms_progress SET through_seq = 0").execute();
            assertThat(candidates(follower, "kv", mine)).isNull();
            held.rollback();
        }
    }
}
