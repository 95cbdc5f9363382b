package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunTextTermsTest {
    private static int pair(String ab) {
        return RunTextTerms.of(ab);
    }

    @Test
    void aTextHasEachPrintableCharacterAndEachPairSideBySideFoldedToLowerCase() {
        int[] terms = RunTextTerms.of("Ab", "b-", null);
        assertThat(terms).containsExactlyInAnyOrder('a', 'b', '-', pair("ab"), pair("b-"));
        assertThat(RunTextTerms.of("AB", "x", null)).contains(pair("ab"), pair("Ab"), pair("aB"));
        assertThat(terms).isSorted();
    }

    @Test
    void aPairNeverSpansTwoFieldsNorACharacterOutsidePrintableAscii() {
        assertThat(RunTextTerms.of("xj", "vy", "z")).doesNotContain(pair("jv"), pair("yz"));
        assertThat(RunTextTerms.of("j\tv", "j\u00e9v", "j\uD83D\uDE00v")).containsExactlyInAnyOrder('j', 'v');
    }

    @Test
    void singleCharactersAndPairsAreNumberedApart() {
        List<Integer> all = new ArrayList<>();
        for (char a = 0x20; a < 0x7f; a++) {
            all.add(RunTextTerms.of(String.valueOf(a)));
            for (char b = 0x20; b < 0x7f; b++) {
                all.add(RunTextTerms.of("" + a + b));
            }
        }
        // upper case folds onto lower case, so 26 letters fewer of each kind
        int printable = 0x7f - 0x20;
        int folded = printable - 26;
        assertThat(all.stream().distinct().count()).isEqualTo((long) folded + (long) folded * folded);
    }

    @Test
    void theOnlyCharactersOutsideAsciiThatFoldOntoItAreTheFourTheMigrationTranslates() {
        // V29's run_text_terms() folds with translate() and must reach the same characters as RunTextTerms.fold
        List<Integer> reaching = new ArrayList<>();
        for (int c = 0x80; c <= Character.MAX_CODE_POINT; c++) {
            int f = RunTextTerms.fold(c);
            if (f >= 0x20 && f < 0x7f) {
                reaching.add(c);
            }
        }
        assertThat(reaching).containsExactly(0x130, 0x131, 0x17f, 0x212a);
        assertThat(Arrays.stream(new int[] {0x130, 0x131, 0x17f, 0x212a}).map(RunTextTerms::fold).toArray())
                .containsExactly('i', 'i', 's', 'k');
    }
}
