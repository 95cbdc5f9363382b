package dev.drover.server.runs;

import dev.drover.server.store.Dialect;
import dev.drover.server.store.Sql;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * A two-character {@code q} on SQLite, found from the trigram index after all. FTS5's trigram tokenizer matches
 * nothing for fewer than three characters, so such a {@code q} is a {@code LIKE} over the text, answered by walking
 * the sort's index until a page of matches is found: at once when the pair is common (most pairs of letters
 * are), a scan of every run when it is rare (1 s over a million runs). But every occurrence of a pair {@code ab}
 * in a run's search text is inside one of its indexed trigrams, {@code ab?} or {@code ?ab}: the text is
 * {@code title \x1f prompt \x1f skill_spec}, never shorter than three characters, and a pair that ends it is the
 * tail of its last trigram. So the trigrams of the index's vocabulary ({@code runs_search_terms}, V25) that start
 * or end with the pair name every run that can contain it. They are looked up by range (one per distinct first
 * character for {@code ?ab}, a recursive skip over the sorted vocabulary), counting their occurrences up to
 * {@link #MAX_OCCURRENCES}: beyond that the pair is common and the walk is cheap; below, the listing reads these
 * few runs by id ({@code RunRepository.fewMatches}) and keeps the {@code LIKE} as the exact test (the index folds
 * case more widely than LIKE does, so its candidates are a superset). Only ASCII pairs, whose folding both agree
 * on; other short queries keep the walk. PostgreSQL's {@code pg_trgm} has no such vocabulary to read; there the
 * walk it is.
 */
final class ShortTextSearch {
    /** Occurrences of the pair's trigrams up to which the pair is rare enough to read its runs by id. */
    static final int MAX_OCCURRENCES = RunRepository.FEW_MATCHES;

    private ShortTextSearch() {}

    /**
     * A condition over {@code r} that every run containing {@code q} satisfies and few others do, with its
     * parameters; null when the pair is common or this does not apply (PostgreSQL, not two ASCII characters).
     */
    static Sql candidates(Handle h, Dialect dialect, String q) {
        if (q == null || !dialect.plansWithoutStatistics() || q.length() != 2 || !printableAscii(q)) {
            return null;
        }
        String pair = q.toLowerCase(Locale.ROOT);
        // the vocabulary is sorted by term (UTF-8 bytes); char(1114111) sorts after every continuation of a prefix.
        // CROSS JOIN keeps the few first characters outside: the other way round reads every trigram occurrence
        // of the index (minutes over a million runs)
        List<String> occurrences = h.createQuery("""
                        WITH RECURSIVE firsts(c) AS (
                            SELECT (SELECT substr(term, 1, 1) FROM runs_search_terms ORDER BY term LIMIT 1)
                            UNION ALL
                            SELECT (SELECT substr(term, 1, 1) FROM runs_search_terms
                                    WHERE term >= char(unicode(c) + 1) ORDER BY term LIMIT 1)
                            FROM firsts WHERE c IS NOT NULL)
                        SELECT term FROM (
                            SELECT t.term FROM firsts f CROSS JOIN runs_search_terms t ON t.term = f.c || :pair
                            WHERE f.c IS NOT NULL
                            UNION ALL
                            SELECT term FROM runs_search_terms WHERE term >= :pair AND term < :pair || char(1114111))
                        LIMIT :cap""")
                .bind("pair", pair).bind("cap", MAX_OCCURRENCES).mapTo(String.class).list();
        if (occurrences.size() >= MAX_OCCURRENCES) {
            return null;
        }
        Set<String> terms = new LinkedHashSet<>(occurrences);
        if (terms.isEmpty()) {
            return new Sql("1 = 0", Map.of()); // no run contains the pair
        }
        List<String> phrases = terms.stream().map(t -> "\"" + t.replace("\"", "\"\"") + "\"").toList();
        return new Sql("r.id IN (SELECT run_id FROM runs_search WHERE runs_search MATCH :short_q)",
                Map.of("short_q", "body : (" + String.join(" OR ", phrases) + ")"));
    }

    private static boolean printableAscii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }
}
