package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drover.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runs listing's cursor on its own: what it carries survives the trip, and a changed or foreign one is a 400. */
class ListCursorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HASH = "f1a2";
    private static final String NOT_OURS = "cursor: is not a cursor returned by this endpoint";
    private static final String OTHER_QUERY =
            "cursor: belongs to a listing with other filters or another sort; start again without a cursor";

    private static ListCursor cursor(RunSort sort, boolean descending) {
        List<Object> keys = switch (sort) {
            case UPDATED_AT, CREATED_AT -> List.of(1_767_225_600_000_000L);
            case TITLE -> List.of("Fix the flaky test");
            case AGENT -> List.of(0L, "acme/web:review");
        };
        return new ListCursor(sort.wire, descending, keys, "AAAAAAAAAAAAAAAAAAAAAA", 4_242L, HASH);
    }

    /** The cursor's JSON, changed by {@code edit} and encoded again as a client could. */
    private static String edited(ListCursor c, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(c.encode()));
        edit.accept(json);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(json));
    }

    private static void refused(String raw, RunSort sort, boolean descending, String hash, String detail) {
        assertThatThrownBy(() -> ListCursor.decode(raw, sort, descending, hash))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }

    @Test
    void everySortAndDirectionSurvivesTheRoundTrip() {
        for (RunSort sort : RunSort.values()) {
            for (boolean descending : new boolean[] {true, false}) {
                ListCursor sent = cursor(sort, descending);
                ListCursor back = ListCursor.decode(sent.encode(), sort, descending, HASH);
                assertThat(back.sort()).isEqualTo(sort.wire);
                assertThat(back.descending()).isEqualTo(descending);
                assertThat(back.id()).isEqualTo(sent.id());
                assertThat(back.snapshot()).isEqualTo(4_242L);
                assertThat(back.filterHash()).isEqualTo(HASH);
                assertThat(back.keys()).hasSameSizeAs(sent.keys());
                for (int i = 0; i < sent.keys().size(); i++) {
                    Object k = sent.keys().get(i);
                    Object b = back.keys().get(i);
                    if (k instanceof Long l) {
                        assertThat(((Number) b).longValue()).as(sort + " key " + i).isEqualTo(l);
                    } else {
                        assertThat(b).as(sort + " key " + i).isEqualTo(k);
                    }
                }
            }
        }
    }

    @Test
    void theEncodedCursorIsUrlSafeWithoutPadding() {
        for (RunSort sort : RunSort.values()) {
            assertThat(cursor(sort, true).encode()).matches("[A-Za-z0-9_-]+");
        }
    }

    @Test
    void aCursorOfAnotherSortDirectionOrFilterIsRefusedAsBelongingElsewhere() {
        String raw = cursor(RunSort.UPDATED_AT, true).encode();
        refused(raw, RunSort.CREATED_AT, true, HASH, OTHER_QUERY);
        refused(raw, RunSort.UPDATED_AT, false, HASH, OTHER_QUERY);
        refused(raw, RunSort.UPDATED_AT, true, "another-filter", OTHER_QUERY);
    }

    @Test
    void aCursorWhoseSortWasEditedToMatchIsStillRefusedByTheShapeOfItsKeys() throws Exception {
        // the agent sort has two keys: a cursor of another sort relabelled as "agent" does not fit it
        String relabelled = edited(cursor(RunSort.TITLE, true), j -> j.put("sort", "agent"));
        refused(relabelled, RunSort.AGENT, true, HASH, NOT_OURS);
        // a string where the updated_at sort keeps a number
        String wrongType = edited(cursor(RunSort.UPDATED_AT, true), j -> j.putArray("keys").add("yesterday"));
        refused(wrongType, RunSort.UPDATED_AT, true, HASH, NOT_OURS);
        // a number where the title sort keeps a string
        String numberTitle = edited(cursor(RunSort.TITLE, true), j -> j.putArray("keys").add(7));
        refused(numberTitle, RunSort.TITLE, true, HASH, NOT_OURS);
        // a nested object smuggled in as a key
        String objectKey = edited(cursor(RunSort.TITLE, true), j -> j.putArray("keys").addObject().put("x", 1));
        refused(objectKey, RunSort.TITLE, true, HASH, NOT_OURS);
    }

    @Test
    void aCursorMissingAPartIsNotOurs() throws Exception {
        for (String field : List.of("sort", "keys", "id", "filterHash")) {
            refused(edited(cursor(RunSort.CREATED_AT, true), j -> j.remove(field)), RunSort.CREATED_AT, true, HASH,
                    NOT_OURS);
        }
        refused(edited(cursor(RunSort.CREATED_AT, true), j -> j.putArray("keys")), RunSort.CREATED_AT, true, HASH,
                NOT_OURS);
    }

    @Test
    void textThatIsNotACursorIsABadRequestNotAServerError() {
        String notJson = Base64.getUrlEncoder().encodeToString("not json".getBytes(StandardCharsets.UTF_8));
        String jsonArray = Base64.getUrlEncoder().encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8));
        String unknownField = Base64.getUrlEncoder().encodeToString(
                "{\"sort\":\"title\",\"evil\":true}".getBytes(StandardCharsets.UTF_8));
        for (String raw : List.of("%%%", "abc$", notJson, jsonArray, unknownField, "")) {
            refused(raw, RunSort.TITLE, true, HASH, NOT_OURS);
        }
    }
}
