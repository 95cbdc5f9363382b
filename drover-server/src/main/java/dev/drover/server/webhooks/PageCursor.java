package dev.drover.server.webhooks;

import dev.drover.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque keyset cursor of the webhook and delivery lists: the sort key of the last item shown (its creation time
 * and a unique tie-breaker) and which list it belongs to, so that a cursor of another list is refused (400), not
 * silently misread. Items created after paging began are never shown twice: the key only moves one way.
 */
record PageCursor(String list, long createdAt, String tieBreak) {

    String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (list + "\n" + createdAt + "\n" + tieBreak).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor of {@code list}, or null when none was given. */
    static PageCursor decode(String raw, String list) {
        if (raw == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8).split("\n", -1);
            if (parts.length != 3 || !parts[0].equals(list) || parts[2].isEmpty()) {
                throw new IllegalArgumentException();
            }
            return new PageCursor(list, Long.parseLong(parts[1]), parts[2]);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor", "not a cursor of this list; pass page_info.next_cursor as given");
        }
    }
}
