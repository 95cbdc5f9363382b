package dev.drover.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.RunState;
import io.helidon.common.uri.UriQuery;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Query parameters read one rule at a time from a raw query string, as the server decodes it. */
class QueryParamsTest {

    /** An enum whose wire spelling differs from its Java name, like the listing's sort orders. */
    enum Sort {
        UPDATED_AT, CREATED_AT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static QueryParams query(String raw) {
        return new QueryParams(UriQuery.create(raw));
    }

    private static void refused(ThrowingCallable read, String detail) {
        assertThatThrownBy(read).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.detail()).isEqualTo(detail);
        });
    }

    @Test
    void anAbsentOrEmptyParameterIsAbsentAndTheFirstOfSeveralIsTaken() {
        assertThat(query("").string("name")).isEmpty();
        assertThat(query("name=").string("name")).isEmpty();
        assertThat(query("name=a&name=b").string("name")).contains("a");
        assertThat(query("name=a%20b%2Bc").string("name")).contains("a b+c");
    }

    @Test
    void aNulCharacterIsRefusedWhereverItComes() {
        refused(() -> query("name=a%00b").string("name"), "name: " + Text.NO_NUL);
        refused(() -> query("ids=a,b%00").strings("ids"), "ids: " + Text.NO_NUL);
        refused(() -> query("metadata%5Bteam%5D=x%00").bracketed("metadata"), "metadata[team]: " + Text.NO_NUL);
    }

    @Test
    void listsComeCommaSeparatedOrRepeatedTrimmedAndWithoutBlanks() {
        assertThat(query("ids=a,b&ids=%20c%20,,&ids=").strings("ids")).containsExactly("a", "b", "c");
        assertThat(query("other=x").strings("ids")).isEmpty();
    }

    @Test
    void integersAreCheckedAgainstTheirRangeAndAbsentOnesFallBack() {
        assertThat(query("").intInRange("limit", 1, 100, 20)).isEqualTo(20);
        assertThat(query("limit=1").intInRange("limit", 1, 100, 20)).isEqualTo(1);
        assertThat(query("limit=100").intInRange("limit", 1, 100, 20)).isEqualTo(100);
        refused(() -> query("limit=0").intInRange("limit", 1, 100, 20), "limit: must be between 1 and 100, got 0");
        refused(() -> query("limit=101").intInRange("limit", 1, 100, 20), "limit: must be between 1 and 100, got 101");
        for (String bad : List.of("ten", "1.5", "99999999999", "%2010", "0x10")) {
            refused(() -> query("limit=" + bad).intInRange("limit", 1, 100, 20),
                    "limit: must be an integer between 1 and 100");
        }
    }

    @Test
    void longsHaveALowerBoundAndRefuseWhatIsNotANumber() {
        assertThat(query("").longAtLeast("since", 0, -1)).isEqualTo(-1);
        assertThat(query("since=9000000000").longAtLeast("since", 0, -1)).isEqualTo(9_000_000_000L);
        refused(() -> query("since=-1").longAtLeast("since", 0, -1), "since: must be at least 0");
        refused(() -> query("since=soon").longAtLeast("since", 0, -1), "since: must be an integer");
        refused(() -> query("since=99999999999999999999").longAtLeast("since", 0, -1), "since: must be an integer");
    }

    @Test
    void booleansAreTrueFalseOneOrZeroInAnyCase() {
        assertThat(query("a=true").bool("a")).contains(true);
        assertThat(query("a=TRUE").bool("a")).contains(true);
        assertThat(query("a=1").bool("a")).contains(true);
        assertThat(query("a=False").bool("a")).contains(false);
        assertThat(query("a=0").bool("a")).contains(false);
        assertThat(query("").bool("a")).isEmpty();
        for (String bad : List.of("yes", "on", "2", "t")) {
            refused(() -> query("a=" + bad).bool("a"), "a: must be true or false");
        }
    }

    @Test
    void timestampsAreRfc3339WithAnOffset() {
        assertThat(query("after=2026-01-31T12:00:00Z").timestamp("after")).contains(Instant.parse("2026-01-31T12:00:00Z"));
        assertThat(query("after=2026-01-31T13:00:00%2B01:00").timestamp("after"))
                .contains(Instant.parse("2026-01-31T12:00:00Z"));
        for (String bad : List.of("2026-01-31", "2026-01-31T12:00:00", "yesterday", "1769860800",
                "2026-02-30T12:00:00Z")) {
            refused(() -> query("after=" + bad).timestamp("after"),
                    "after: must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z");
        }
    }

    @Test
    void enumsMatchTheirWireSpellingOrJavaNameExactly() {
        assertThat(query("sort_by=created_at").enumValue("sort_by", Sort.class)).contains(Sort.CREATED_AT);
        assertThat(query("sort_by=CREATED_AT").enumValue("sort_by", Sort.class)).contains(Sort.CREATED_AT);
        refused(() -> query("sort_by=Created_At").enumValue("sort_by", Sort.class),
                "sort_by: unknown value \"Created_At\"; one of updated_at, created_at");
        assertThat(query("state=QUEUED,FAILED&state=QUEUED").enumValues("state", RunState.class))
                .as("repeats collapse, order kept").containsExactly(RunState.QUEUED, RunState.FAILED);
        refused(() -> query("state=QUEUED,DONE").enumValues("state", RunState.class),
                "state: unknown value \"DONE\"; one of QUEUED, PENDING, CLAIMED, INPROGRESS, SUCCEEDED, FAILED, "
                        + "BLOCKED, ERROR, CANCELLED");
    }

    @Test
    void bracketedParametersYieldTheirKeyAndEveryValue() {
        List<String[]> pairs = query("metadata%5Bteam%5D=web&metadata%5Bteam%5D=api&metadata%5Bk%5D=v"
                + "&metadata=x&meta%5Bz%5D=y&metadata%5Bopen=1").bracketed("metadata");
        assertThat(pairs).extracting(p -> p[0] + "=" + p[1]).containsExactlyInAnyOrder("team=web", "team=api", "k=v");
    }
}
