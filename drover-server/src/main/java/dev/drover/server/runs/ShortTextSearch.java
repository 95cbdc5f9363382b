package dev.drover.server.runs;

import dev.drover.server.store.Dialect;
import dev.drover.server.store.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * A {@code q} of one or two characters, found from an index after all. Neither database's trigram index matches
 * fewer than three characters, so such a {@code q} is a {@code LIKE} over the text, answered by walking the sort's
 * index until a page of matches is found: at once when the characters are common (most are), a test of every
 * run when they are rare (0.5 s on SQLite, 1.2 s on PostgreSQL over a million runs). Here the runs that can
 * contain {@code q} are counted up to {@link #MAX_OCCURRENCES}: beyond that {@code q} is common and the walk is
 * cheap; below, the listing reads these few runs by id and sorts them, and keeps the {@code LIKE} as the exact test
 * (so the candidates only need to be a superset). Only printable ASCII, whose case folding every index and
 * {@code LIKE} agree on; other short queries keep the walk.
 *
 * <p><b>SQLite</b> reads the trigram index's vocabulary ({@code runs_search_terms}, V25). The search text is
 * {@code title \x1f prompt \x1f skill_spec}, never shorter than three characters, and every character but its
 * last two begins one of its trigrams: so every occurrence of a pair {@code ab} begins a trigram {@code ab?} but
 * at the text's very end, and every occurrence of a character {@code c} begins a trigram {@code c??} but in the
 * text's last two characters. The trigrams are one range of the sorted vocabulary (their occurrences counted),
 * the text's end is indexed by V26.
 *
 * <p><b>PostgreSQL</b> reads {@code run_text_terms} (V29): each run's printable characters and the pairs of them
 * that sit side by side ({@link RunTextTerms}), under a GIN index, written by {@link RunTextTermsFollower} soon after
 * the run's creation: the runs that have {@code q} (but for case folding, which ILIKE settles), so two common
 * characters that seldom sit side by side ({@code xq}) are found in the few runs that have them so.
 */
final class ShortTextSearch {
    /** Occurrences (or runs) up to which {@code q} is rare enough to read its runs by id. */
    static final int MAX_OCCURRENCES = RunRepository.FEW_MATCHES;

    /** SQLite: runs_search's text of runs aliased {@code e}, written as V26's indexes of its end are, to use them. */
    private static final String TEXT = "e.title || char(31) || e.prompt || char(31) || COALESCE(e.skill_spec, '')";
    private static final String LAST_TWO = "substr(" + TEXT + ", -2)";
    private static final String LAST_ONE = "substr(" + TEXT + ", -1)";

    /** PostgreSQL: characters the planner expects in more than one run in this many are common. */
    private static final int COMMON_SHARE = 10;

    private ShortTextSearch() {}

    /**
     * A condition over {@code r} that every run containing {@code q} satisfies and few others do, with its
     * parameters; null when {@code q} is common or this does not apply (not one or two printable ASCII characters).
     */
    static Sql candidates(Handle h, Dialect dialect, String q) {
        if (q == null || q.isEmpty() || q.length() > 2 || !printableAscii(q)) {
            return null;
        }
        return dialect.keepsRunTextTerms() ? fromTerms(h, dialect, q) : fromVocabulary(h, q.toLowerCase(Locale.ROOT));
    }

    /**
     * PostgreSQL: the runs whose text has {@code q} (one character, or a pair side by side) among its terms
     * ({@link RunTextTerms}, V29), and the runs created since the terms were last written
     * ({@link RunTextTermsFollower}), if there are few; named by id, so that the planner knows how few and reads
     * them by id instead of walking the sort's index. Not when the follower is far behind (after an upgrade, or in a
     * burst of events), nor when the planner expects the term in more than one run in {@link #COMMON_SHARE} (by the
     * column's statistics): counting a thousand of those costs more than the walk finding a page (27 ms).
     */
    private static Sql fromTerms(Handle h, Dialect dialect, String q) {
        // the term as a constant, not a parameter: a prepared statement's generic plan cannot see which term it
        // looks up, and the estimate needs it
        Sql probe = new Sql("SELECT t.run_id FROM run_text_terms t WHERE t.terms @> ARRAY[" + RunTextTerms.of(q) + "]",
                Map.of());
        long expected = RunRepository.estimatedRows(h, probe);
        long runs = h.createQuery("SELECT CAST(GREATEST(reltuples, 0) AS bigint) FROM pg_class "
                + "WHERE oid = 'run_text_terms'::regclass").mapTo(Long.class).one();
        if (expected >= MAX_OCCURRENCES && expected * COMMON_SHARE >= runs) {
            return null;
        }
        // the events since the follower's last pass, with the runs they create tested for q here, in one snapshot with
        // what follows (the listing's), so that every run of it either has its terms or is created by one of these
        Sql.Builder test = new Sql.Builder("recent");
        String contains = dialect.runTextSearch(test, q);
        var recentQuery = h.createQuery("SELECT r.id, " + contains + " AS has_q FROM "
                + RunTextTermsFollower.eventsWithTheRunsTheyCreate("(SELECT through_seq FROM run_text_terms_progress)",
                        MAX_OCCURRENCES));
        test.build().params().forEach(recentQuery::bind);
        List<Map<String, Object>> recent = recentQuery.mapToMap().list();
        if (recent.size() >= MAX_OCCURRENCES) {
            return null; // a thousand events or more not followed yet (an upgrade, a burst): the walk finds q
        }
        List<String> ids = h.createQuery(probe.text() + " LIMIT " + MAX_OCCURRENCES).mapTo(String.class).list();
        if (ids.size() >= MAX_OCCURRENCES) {
            return null;
        }
        Set<String> candidates = new LinkedHashSet<>(ids);
        recent.stream().filter(r -> Boolean.TRUE.equals(r.get("has_q")))
                .forEach(r -> candidates.add((String) r.get("id")));
        if (candidates.isEmpty()) {
            return new Sql("1 = 0", Map.of()); // no run has q
        }
        Sql.Builder b = new Sql.Builder("short_id");
        b.append("r.id IN (").append(String.join(", ", candidates.stream().map(b::param).toList())).append(")");
        return b.build();
    }

    /**
     * SQLite: the runs with a trigram that begins with {@code q}, and those whose text ends with it ({@code q} one
     * character: ends with it or with it and one more).
     */
    private static Sql fromVocabulary(Handle h, String folded) {
        // the vocabulary is sorted by term (UTF-8 bytes); char(1114111) sorts after every continuation of a prefix
        List<String> occurrences = h.createQuery("""
                        SELECT term FROM runs_search_terms
                        WHERE term >= :q AND term < :q || char(1114111) LIMIT <cap>""")
                .bind("q", folded).define("cap", MAX_OCCURRENCES).mapTo(String.class).list();
        if (occurrences.size() >= MAX_OCCURRENCES) {
            return null;
        }
        // the text's end, as LIKE compares it: ASCII letters in either case
        Sql.Builder end = new Sql.Builder("short_end");
        List<String> written = casings(folded);
        String anyCasing = String.join(", ", written.stream().map(end::param).toList());
        List<String> any = new ArrayList<>();
        if (folded.length() == 2) {
            any.add(LAST_TWO + " IN (" + anyCasing + ")");
        } else {
            any.add(LAST_ONE + " IN (" + anyCasing + ")");
            for (String c : written) { // the next to last: the last two begin with it
                String p = end.param(c);
                any.add("(" + LAST_TWO + " >= " + p + " AND " + LAST_TWO + " < " + p + " || char(1114111))");
            }
        }
        Sql ending = end.append("SELECT e.id FROM runs e WHERE " + String.join(" OR ", any)).build();
        int ends = RunRepository.countUpTo(h, ending, MAX_OCCURRENCES);
        if (ends >= MAX_OCCURRENCES) {
            return null;
        }
        List<String> sets = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        Set<String> terms = new LinkedHashSet<>(occurrences);
        if (!terms.isEmpty()) {
            List<String> phrases = terms.stream().map(t -> "\"" + t.replace("\"", "\"\"") + "\"").toList();
            sets.add("SELECT run_id FROM runs_search WHERE runs_search MATCH :short_q");
            params.put("short_q", "body : (" + String.join(" OR ", phrases) + ")");
        }
        if (ends > 0) {
            sets.add(ending.text());
            params.putAll(ending.params());
        }
        if (sets.isEmpty()) {
            return new Sql("1 = 0", Map.of()); // no run contains q
        }
        return new Sql("r.id IN (" + String.join(" UNION ALL ", sets) + ")", params);
    }

    /** Every way of writing {@code folded} (lower-case printable ASCII) that LIKE takes for it. */
    private static List<String> casings(String folded) {
        List<String> out = new ArrayList<>(List.of(""));
        for (char c : folded.toCharArray()) {
            List<String> next = new ArrayList<>();
            for (String prefix : out) {
                next.add(prefix + c);
                if (Character.toUpperCase(c) != c) {
                    next.add(prefix + Character.toUpperCase(c));
                }
            }
            out = next;
        }
        return out;
    }

    private static boolean printableAscii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }
}
