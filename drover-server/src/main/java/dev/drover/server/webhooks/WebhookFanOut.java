package dev.drover.server.webhooks;

import dev.drover.api.RunEvent;
import dev.drover.api.RunItem;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import dev.drover.server.http.JsonBodies;
import dev.drover.api.WebhookRecords.Payload;
import dev.drover.api.WebhookRecords.PayloadData;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns events into deliveries. Each enabled webhook has a cursor in the event log; a pass reads the events after it
 * that belong to runs of the webhook's owner and inserts a delivery for each subscribed one, in the transaction that
 * moves the cursor: an event becomes a delivery once, never zero times, however many nodes run the pass and whenever
 * one dies. The webhook's row is claimed with SKIP LOCKED, so two nodes share the webhooks instead of waiting on each
 * other; the unique (webhook, event) key is the last word.
 *
 * <p>The cursor can move to the log's head even past events of other owners: the head's committed value is a
 * sequence below which every event is committed (the counter row serialises appends, see docs/events.md).
 */
public final class WebhookFanOut {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookFanOut.class);
    /** Events read for one webhook in one transaction. */
    public static final int BATCH = 200;

    private final Database db;
    private final Runs runs;
    private final Clock clock;

    public WebhookFanOut(Database db, Runs runs, Clock clock) {
        this.db = db;
        this.runs = runs;
        this.clock = clock;
    }

    /** One pass over every enabled webhook; returns the most events one webhook consumed (a full batch: go on). */
    public int pass() {
        List<String> ids = db.readOne(h -> h.createQuery("SELECT id FROM webhooks WHERE enabled = :yes ORDER BY id")
                .bind("yes", true).mapTo(String.class).list());
        int most = 0;
        for (String id : ids) {
            try {
                most = Math.max(most, db.write(h -> fanOut(h, id)));
            } catch (RuntimeException e) {
                // one webhook's trouble must not hold up the others; its cursor has not moved, so nothing is lost
                LOG.warn("webhook {}: fan-out failed; retrying next pass: {}", id, e.toString());
            }
        }
        return most;
    }

    private record Cursor(String ownerId, Set<String> types, long seq) {}

    private int fanOut(Handle h, String id) {
        Optional<Cursor> cursor = h.createQuery("SELECT owner_id, event_types, cursor_seq FROM webhooks"
                        + " WHERE id = :id AND enabled = :yes" + db.dialect().skipLocked())
                .bind("id", id).bind("yes", true)
                .map((rs, ctx) -> new Cursor(rs.getString(1), Set.copyOf(
                        JsonColumns.read(rs.getString(2), Webhooks.EVENT_TYPES_COLUMN)),
                        rs.getLong(3)))
                .findOne();
        if (cursor.isEmpty()) {
            return 0; // another node has it, or it was disabled or deleted meanwhile
        }
        Cursor c = cursor.get();
        // read the head first: every event up to it is committed, so the cursor may jump there when the owner's
        // events below it are all read
        long head = h.createQuery("SELECT value FROM event_counter WHERE id = 1").mapTo(Long.class).one();
        if (head <= c.seq()) {
            return 0;
        }
        List<RunEvent> events = h.createQuery("""
                        SELECT e.sequence, e.run_id, e.event_type, e.ref_id, e.execution_id, e.occurred_at
                        FROM events e JOIN runs r ON r.id = e.run_id
                        WHERE e.sequence > :after AND e.sequence <= :head AND r.owner_id = :owner
                        ORDER BY e.sequence LIMIT <limit>""")
                .bind("after", c.seq()).bind("head", head).bind("owner", c.ownerId()).define("limit", BATCH)
                .map((rs, ctx) -> new RunEvent(rs.getString(3), rs.getString(2), rs.getString(4), rs.getString(5),
                        Times.instant(rs.getLong(6)), rs.getLong(1)))
                .list();
        long now = Times.micros(clock.instant());
        Map<String, RunItem> runsRead = new HashMap<>();
        for (RunEvent e : events) {
            if (!c.types().contains(e.eventType())) {
                continue;
            }
            RunItem run = runsRead.computeIfAbsent(e.runId(), r -> runs.itemIn(h, r).orElse(null));
            byte[] body = JsonBodies.write(new Payload(e.eventType(), e.occurredAt(), new PayloadData(e, run)));
            h.createUpdate("""
                            INSERT INTO webhook_deliveries (id, webhook_id, event_sequence, event_type, run_id, payload,
                                status, attempts, next_attempt_at, created_at)
                            VALUES (:delivery, :id, :seq, :type, :run, :payload, 'pending', 0, :now, :now)""")
                    .bind("delivery", Ids.uuid()).bind("id", id).bind("seq", e.sequence()).bind("type", e.eventType())
                    .bind("run", e.runId()).bind("payload", new String(body, StandardCharsets.UTF_8)).bind("now", now)
                    .execute();
        }
        long next = events.size() == BATCH ? events.getLast().sequence() : head;
        if (h.createUpdate("UPDATE webhooks SET cursor_seq = :next WHERE id = :id AND cursor_seq = :seq")
                .bind("next", next).bind("id", id).bind("seq", c.seq()).execute() != 1) {
            // the row is locked by this transaction, so this cannot happen; if it did, roll the deliveries back
            throw new IllegalStateException("webhook " + id + ": cursor moved under a lock");
        }
        return events.size();
    }
}
