package dev.drover.server.runs;

import java.util.BitSet;

/**
 * What PostgreSQL finds a {@code q} of one or two characters by ({@code run_text_terms}, V29): every printable
 * ASCII character of a run's search text and every pair of them side by side, each as a number. Written once, after
 * the run's creation ({@link RunTextTermsFollower}), next to the run and never with it: the run's row changes on
 * every transition, and an index of the row would be written again each time.
 *
 * <p>Only printable ASCII, because only such a {@code q} is looked up (ShortTextSearch). Both sides are folded with
 * {@link #fold}, and the listing keeps {@code ILIKE} as the exact test, so the terms need only be a superset of what
 * {@code ILIKE} matches: every text character that PostgreSQL's {@code lower()} turns into the same character as it
 * turns an ASCII {@code q}'s must fold to that ASCII letter here too. Folding through upper case does: the only
 * characters outside ASCII whose case mapping reaches ASCII are the Kelvin sign, the dotted and dotless i and the
 * long s, and it takes all of them there; a Turkish collation's {@code lower('I') = 'ı'} is covered by the dotless
 * i folding onto i.
 */
public final class RunTextTerms {
    private static final int FIRST = 0x20;
    private static final int LAST = 0x7e;
    /** Pairs are numbered above every single character's code. */
    private static final int PAIRS = 128;

    private RunTextTerms() {}

    /** The terms of a run's search text (title, prompt, skill spec; a pair never spans two of them), ascending. */
    public static int[] of(String title, String prompt, String skillSpec) {
        BitSet terms = new BitSet();
        add(terms, title);
        add(terms, prompt);
        add(terms, skillSpec);
        return terms.stream().toArray();
    }

    /** The one term of a {@code q} of one or two printable ASCII characters. */
    static int of(String q) {
        int first = fold(q.charAt(0));
        return q.length() == 1 ? first : pair(first, fold(q.charAt(1)));
    }

    private static void add(BitSet terms, String text) {
        if (text == null) {
            return;
        }
        int previous = -1;
        for (int i = 0; i < text.length(); ) {
            int c = fold(text.codePointAt(i));
            i += Character.charCount(text.codePointAt(i));
            if (c < FIRST || c > LAST) {
                previous = -1;
                continue;
            }
            terms.set(c);
            if (previous >= 0) {
                terms.set(pair(previous, c));
            }
            previous = c;
        }
    }

    private static int pair(int first, int second) {
        return PAIRS * (first + 1) + second;
    }

    /** Lower case through upper case, so that every spelling of a letter's case lands on one code point. */
    static int fold(int codePoint) {
        return Character.toLowerCase(Character.toUpperCase(codePoint));
    }
}
