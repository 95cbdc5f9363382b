package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.store.Sql;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
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

    private List<String> candidates(String q, List<String> among) {
        var db = server.server().database();
        return db.readOne(h -> {
            Sql where = ShortTextSearch.candidates(h, db.dialect(), q);
            if (where == null) {
                return null;
            }
            var query = h.createQuery("SELECT r.id FROM runs r WHERE " + where.text());
            where.params().forEach(query::bind);
            return query.mapTo(String.class).list().stream().filter(among::contains).toList();
        });
    }

    @Test
    void aCreatedRunHasTheTermsOfItsStoredTextWrittenWithIt() {
        Api api = server.newTenant("terms-" + UUID.randomUUID());
        List<String> ids = new ArrayList<>();
        for (String title : List.of("Hello, World!", "\u0130stanbul \u0131I stra\u017Fe \u212Aelvin", "\uD83D\uDE00a\tb")) {
            Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("title", title, "prompt", "Fix x_y%z " + title)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            ids.add(r.json().get("run_id").asText());
        }
        List<Stored> stored = server.server().database().readOne(h -> stored(h, ids));
        assertThat(stored).hasSize(3).allSatisfy(s -> assertThat(s.terms()).as(s.title())
                .containsExactly(RunTextTerms.of(s.title(), s.prompt(), s.skillSpec())));
    }

    @Test
    void runsOlderThanTheTermsAreFoundByWalkingUntilTheBackfillHasWrittenTheirTerms() {
        // as V29 leaves a database with runs: their terms missing, the backfill's row at the first id
        Api api = server.newTenant("backfill-" + UUID.randomUUID());
        List<String> mine = new ArrayList<>();
        List<String> sideBySide = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String prompt = i % 4 == 0 ? "a WY here " + i : "w and y " + i;
            Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("title", "old run " + i, "prompt", prompt)));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            mine.add(r.json().get("run_id").asText());
            if (i % 4 == 0) {
                sideBySide.add(mine.getLast());
            }
        }
        var db = server.server().database();
        db.write(h -> {
            h.createUpdate("DELETE FROM run_text_terms WHERE run_id IN (<ids>)").bindList("ids", mine).execute();
            return h.createUpdate("INSERT INTO run_text_terms_backfill (after_id) VALUES ('')").execute();
        });

        assertThat(candidates("wy", mine)).as("not looked up while terms are missing").isNull();
        assertThat(RunsListShortSearchTest.listAll(api, "q=wy")).containsExactlyInAnyOrderElementsOf(sideBySide);

        RunTextTermsBackfill backfill = new RunTextTermsBackfill(db);
        int read = 0;
        for (int done; (done = backfill.pass()) > 0; ) {
            read += done;
        }
        assertThat(read).as("every run of the database, those with terms skipped").isGreaterThanOrEqualTo(mine.size());
        long left = db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM run_text_terms_backfill").mapTo(Long.class).one());
        assertThat(left).isZero();
        assertThat(backfill.pass()).isZero();
        List<Stored> stored = db.readOne(h -> stored(h, mine));
        assertThat(stored).allSatisfy(s -> assertThat(s.terms()).as(s.prompt())
                .containsExactly(RunTextTerms.of(s.title(), s.prompt(), s.skillSpec())));
        assertThat(candidates("wy", mine)).as("looked up once every run has its terms")
                .containsExactlyInAnyOrderElementsOf(sideBySide);
        assertThat(RunsListShortSearchTest.listAll(api, "q=wy")).containsExactlyInAnyOrderElementsOf(sideBySide);
    }
}
