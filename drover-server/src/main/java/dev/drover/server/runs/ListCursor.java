package dev.drover.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The opaque position in a runs listing: the sort key of the last run returned, its id, and the event
 * sequence at which the listing began (its snapshot). The sort and a hash of the filters are carried too, so a
 * cursor used with a different query is refused instead of silently returning a wrong page.
 */
record ListCursor(String sort, boolean descending, List<Object> keys, String id, long snapshot, String filterHash) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    String encode() {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MAPPER.writeValueAsBytes(this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ListCursor decode(String raw, RunSort sort, boolean descending, String filterHash) {
        ListCursor c;
        try {
            byte[] json = Base64.getUrlDecoder().decode(raw);
            c = MAPPER.readValue(new String(json, StandardCharsets.UTF_8), ListCursor.class);
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw ApiException.badRequest("cursor", "is not a cursor returned by this endpoint");
        }
        if (c.sort() == null || c.keys() == null || c.id() == null || c.filterHash() == null
                || c.keys().size() != sort.keys.size()) {
            throw ApiException.badRequest("cursor", "is not a cursor returned by this endpoint");
        }
        if (!c.sort().equals(sort.wire) || c.descending() != descending || !c.filterHash().equals(filterHash)) {
            throw ApiException.badRequest("cursor",
                    "belongs to a listing with other filters or another sort; start again without a cursor");
        }
        for (int i = 0; i < c.keys().size(); i++) {
            Object k = c.keys().get(i);
            boolean ok = sort.keys.get(i).type() == RunSort.Key.Type.LONG ? k instanceof Number : k instanceof String;
            if (!ok) {
                throw ApiException.badRequest("cursor", "is not a cursor returned by this endpoint");
            }
        }
        return c;
    }
}
