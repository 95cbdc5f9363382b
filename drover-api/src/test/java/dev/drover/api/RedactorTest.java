package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private final Redactor r = Redactor.of(Map.of("NPM_TOKEN", "npm_abcdefghijkl", "SHORT", "abc"));

    @Test
    void valuesAreReplacedByTheirNameAndShortOnesAreLeftAlone() {
        assertThat(r.redact("token=npm_abcdefghijkl; again npm_abcdefghijkl; abc"))
                .isEqualTo("token=[redacted:NPM_TOKEN]; again [redacted:NPM_TOKEN]; abc");
        assertThat(Redactor.of(Map.of("A", "1234567")).isEmpty()).isTrue();
        assertThat(Redactor.of(Map.of("A", "12345678")).redact("x12345678x")).isEqualTo("x[redacted:A]x");
    }

    @Test
    void aValueContainingAnotherIsReplacedWhole() {
        Redactor nested = Redactor.of(Map.of("INNER", "secret-inner", "OUTER", "prefix-secret-inner-suffix"));
        assertThat(nested.redact("prefix-secret-inner-suffix and secret-inner"))
                .isEqualTo("[redacted:OUTER] and [redacted:INNER]");
    }

    @Test
    void everyStringOfATreeIsRedactedKeysToo() {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("type", "action_result");
        block.put("output", Map.of("text", "echo npm_abcdefghijkl", "exit_code", 0));
        block.put("npm_abcdefghijkl", List.of("npm_abcdefghijkl", 3));
        List<Map<String, Object>> out = r.redactTree(List.of(block));
        assertThat(out.toString()).doesNotContain("npm_abcdefghijkl").contains("[redacted:NPM_TOKEN]");
        assertThat(out.getFirst().get("output")).isEqualTo(Map.of("text", "echo [redacted:NPM_TOKEN]", "exit_code", 0));
    }

    @Test
    void bytesAreRedactedWhereverTheValueOccurs() {
        byte[] in = "bin\0npm_abcdefghijkl\0npm_abcdefghijkl".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(r.redact(in), StandardCharsets.UTF_8))
                .isEqualTo("bin\0[redacted:NPM_TOKEN]\0[redacted:NPM_TOKEN]");
    }

    @Test
    void aValueSplitAcrossStreamedChunksAtEveryPointIsStillRedacted() {
        String text = "before npm_abcdefghijkl after npm_abcdefghijkl";
        for (int cut1 = 0; cut1 <= text.length(); cut1++) {
            for (int cut2 = cut1; cut2 <= text.length(); cut2 += 3) {
                Redactor.Stream s = r.stream();
                String out = s.feed(text.substring(0, cut1)) + s.feed(text.substring(cut1, cut2))
                        + s.feed(text.substring(cut2)) + s.finish();
                assertThat(out).as("cut at %d and %d", cut1, cut2)
                        .isEqualTo("before [redacted:NPM_TOKEN] after [redacted:NPM_TOKEN]");
            }
        }
    }

    @Test
    void aStreamHoldsBackOnlyWhatCouldStartAValue() {
        Redactor.Stream s = r.stream();
        assertThat(s.feed("hello npm_ab")).isEqualTo("hello ");
        assertThat(s.feed("x and more")).isEqualTo("npm_abx and more");
        assertThat(s.feed("")).isEmpty();
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void overlappingValuesSplitByAChunkAreNeitherLeakedNorCut() {
        Redactor o = Redactor.of(Map.of("ONE", "ABCDEFGHIJ", "TWO", "HIJKLMNOPQ"));
        Redactor.Stream s = o.stream();
        String out = s.feed("xxABCDEFGHIJ") + s.feed("KLMNOPQ yy") + s.finish();
        assertThat(out).doesNotContain("ABCDEFG").startsWith("xx[redacted:ONE]");
    }

    @Test
    void aTextCutFromALongerOneHasTheCutValuesRedactedAtItsEnds() {
        assertThat(r.redactCut("efghijkl: failed, token npm_abcdefgh"))
                .isEqualTo("[redacted:NPM_TOKEN]: failed, token [redacted:NPM_TOKEN]");
        assertThat(r.redactCut("ijkl fine")).isEqualTo("ijkl fine"); // fewer than 8 characters of it: not the value
    }
}
