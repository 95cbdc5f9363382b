package dev.drover.server.messages;

import dev.drover.api.Message;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RunState;
import dev.drover.api.MessageHeader;
import dev.drover.api.SendMessageRequest;
import dev.drover.api.SendMessageResponse;
import dev.drover.server.auth.Principal;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.RunLinks;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Point-to-point messages between runs. A send writes one row per recipient and a {@code new_message} event on
 * each recipient in one transaction, so an agent waiting on its events always finds the message it is told of.
 */
public final class Messages {
    static final int MAX_RECIPIENTS = 100;
    static final int MAX_SUBJECT_CHARS = 1024;
    static final int MAX_BODY_BYTES = 131072;

    /** PostgreSQL text cannot hold U+0000; refused on SQLite too, so both stores accept the same messages. */
    private static final String NO_NUL = "must not contain the NUL character (\\u0000)";

    private final Database db;
    private final EventLog events;
    private final Runs runs;
    private final Clock clock;

    public Messages(Database db, EventLog events, Runs runs, Clock clock) {
        this.db = db;
        this.events = events;
        this.runs = runs;
        this.clock = clock;
    }

    public SendMessageResponse send(Principal caller, SendMessageRequest r) {
        if (r.to() == null || r.to().isEmpty()) {
            throw ApiException.badRequest("to", "at least one recipient run id is required");
        }
        if (r.to().size() > MAX_RECIPIENTS) {
            throw ApiException.badRequest("to", "at most " + MAX_RECIPIENTS + " recipients");
        }
        if (r.subject() == null) {
            throw ApiException.badRequest("subject", "is required");
        }
        // characters as JSON Schema's maxLength counts them: code points, not UTF-16 units
        if (r.subject().codePointCount(0, r.subject().length()) > MAX_SUBJECT_CHARS) {
            throw ApiException.badRequest("subject", "must be at most " + MAX_SUBJECT_CHARS + " characters");
        }
        if (r.subject().indexOf('\0') >= 0) {
            throw ApiException.badRequest("subject", NO_NUL);
        }
        if (r.body() == null) {
            throw ApiException.badRequest("body", "is required");
        }
        if (r.body().getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            throw ApiException.badRequest("body", "must be at most " + MAX_BODY_BYTES + " bytes (128 KiB)");
        }
        if (r.body().indexOf('\0') >= 0) {
            throw ApiException.badRequest("body", NO_NUL);
        }
        if (r.senderRunId() == null || r.senderRunId().isBlank()) {
            throw ApiException.badRequest("sender_run_id", "is required");
        }
        runs.view(caller, r.senderRunId(), "sender_run_id");
        if (caller.runScope() != null && !caller.runScope().equals(r.senderRunId())) {
            throw ApiException.forbidden("sender_run_id: an agent sends messages as its own run only");
        }
        List<Runs.RunView> recipients = new ArrayList<>();
        for (int i = 0; i < r.to().size(); i++) {
            String field = "to[" + i + "]";
            if (r.to().get(i) == null) {
                throw ApiException.badRequest(field, "must be a run id");
            }
            recipients.add(runs.recipient(caller, r.to().get(i), field));
        }
        return db.write(h -> {
            // Lock the recipients' rows first (in id order, the same for every send, so two sends cannot deadlock),
            // then check their states: a recipient that ends concurrently either ended before this read and is
            // refused, or ends after this transaction commits, never in between with a message it cannot read.
            Map<String, RunState> states = RunLinks.lockedStates(h,
                    recipients.stream().map(Runs.RunView::id).distinct().toList(), db.dialect().lockRows());
            for (int i = 0; i < recipients.size(); i++) {
                RunState state = states.get(recipients.get(i).id());
                if (state.isTerminal()) {
                    throw new ApiException(422, PlatformErrorCode.OPERATION_NOT_SUPPORTED,
                            "to[" + i + "]: run is " + state + " and can no longer receive messages", false);
                }
            }
            Instant now = clock.instant();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < recipients.size(); i++) {
                String id = Ids.uuid();
                h.createUpdate("""
                                INSERT INTO messages (id, recipient_id, sender_run_id, subject, body, sent_at)
                                VALUES (:id, :to, :from, :subject, :body, :now)""")
                        .bind("id", id).bind("to", recipients.get(i).id()).bind("from", r.senderRunId())
                        .bind("subject", r.subject()).bind("body", r.body()).bind("now", Times.micros(now))
                        .execute();
                ids.add(id);
            }
            for (int i = 0; i < recipients.size(); i++) {
                events.append(h, recipients.get(i).id(), "new_message", ids.get(i), null, now);
            }
            return new SendMessageResponse(ids);
        });
    }

    public List<MessageHeader> inbox(Principal caller, String runId, boolean unreadOnly, Instant since, int limit) {
        runs.view(caller, runId, "runId");
        if (caller.runScope() != null && !caller.runScope().equals(runId)) {
            throw ApiException.notFound("runId", "run"); // an agent reads its own inbox only, not its children's
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT id, sender_run_id, subject, sent_at, delivered_at, read_at, kind, mode FROM messages
                        WHERE recipient_id = :run AND (:unread = FALSE OR read_at IS NULL)
                          AND (:since IS NULL OR sent_at > :since)
                        ORDER BY sent_at, id LIMIT <limit>""")
                .bind("run", runId).bind("unread", unreadOnly)
                .bind("since", since == null ? null : Times.micros(since)).define("limit", limit)
                .map((rs, ctx) -> new MessageHeader(rs.getString(1), rs.getString(2), rs.getString(3),
                        Times.instant(rs.getLong(4)), Times.instantOrNull(Rows.nullableLong(rs, 5)),
                        Times.instantOrNull(Rows.nullableLong(rs, 6)),
                        "message".equals(rs.getString(7)) ? null : rs.getString(7), rs.getString(8)))
                .list());
    }

    /** Returns the whole message and marks it read (and delivered, if it was not yet). */
    public Message read(Principal caller, String messageId) {
        return db.write(h -> {
            visibleRecipient(h, caller, messageId);
            long now = Times.micros(clock.instant());
            h.createUpdate("""
                            UPDATE messages SET read_at = COALESCE(read_at, :now),
                                delivered_at = COALESCE(delivered_at, :now) WHERE id = :id""")
                    .bind("id", messageId).bind("now", now).execute();
            return h.createQuery("""
                            SELECT id, sender_run_id, subject, body, sent_at, delivered_at, read_at
                            FROM messages WHERE id = :id""")
                    .bind("id", messageId)
                    .map((rs, ctx) -> new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Times.instant(rs.getLong(5)), Times.instantOrNull(Rows.nullableLong(rs, 6)),
                            Times.instantOrNull(Rows.nullableLong(rs, 7))))
                    .one();
        });
    }

    /** Sets delivered_at once; later calls change nothing. */
    public void delivered(Principal caller, String messageId) {
        db.write(h -> {
            visibleRecipient(h, caller, messageId);
            return h.createUpdate("UPDATE messages SET delivered_at = :now WHERE id = :id AND delivered_at IS NULL")
                    .bind("id", messageId).bind("now", Times.micros(clock.instant())).execute();
        });
    }

    private void visibleRecipient(Handle h, Principal caller, String messageId) {
        Optional<String> recipient = Ids.isUuid(messageId)
                ? h.createQuery("SELECT recipient_id FROM messages WHERE id = :id").bind("id", messageId)
                        .mapTo(String.class).findOne()
                : Optional.empty();
        if (recipient.isEmpty() || !runs.canSee(caller, recipient.get())
                || (caller.runScope() != null && !caller.runScope().equals(recipient.get()))) {
            throw ApiException.notFound("messageId", "message");
        }
    }
}
