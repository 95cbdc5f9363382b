package dev.drover.server.webhooks;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.drover.api.Scope;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import dev.drover.api.WebhookRecords.CreateWebhookRequest;
import dev.drover.api.PageInfo;
import dev.drover.api.WebhookRecords.DeliveryAttempt;
import dev.drover.api.WebhookRecords.DeliveryItem;
import dev.drover.api.WebhookRecords.ListDeliveriesResponse;
import dev.drover.api.WebhookRecords.ListWebhooksResponse;
import dev.drover.api.WebhookRecords.WebhookItem;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Webhook subscriptions: their CRUD, scoped like runs (a webhook is its user's or its team's; foreign ids are 404),
 * their delivery log, redelivery and re-enabling. A webhook follows the events of the runs its scope owns, from the
 * moment it is created.
 */
public final class Webhooks {
    /** The {@code event_types} column: a JSON array of event type names. */
    static final TypeReference<List<String>> EVENT_TYPES_COLUMN = new TypeReference<>() {};

    /** Every event type the server emits (docs/events.md). */
    public static final Set<String> EVENT_TYPES = Set.of("run_queued", "run_pending", "run_claimed", "run_requeued",
            "run_in_progress", "run_succeeded", "run_failed", "run_blocked", "run_errored", "run_cancelled",
            "run_cancel_requested", "run_continued", "new_message", "child_agent_started", "artifact_created",
            "transcript_appended", "changes_delivered", "delivery_failed");
    public static final int MAX_DESCRIPTION_CHARS = 1000;
    public static final int MAX_DELIVERIES_PAGE = 200;
    public static final int MAX_WEBHOOKS_PAGE = 200;

    private final Database db;
    private final Clock clock;
    private final WebhookTargets targets;

    public Webhooks(Database db, Clock clock, WebhookTargets targets) {
        this.db = db;
        this.clock = clock;
        this.targets = targets;
    }

    public WebhookItem create(Principal caller, CreateWebhookRequest r) {
        requireManager(caller);
        if (r == null) {
            throw ApiException.badRequest("body", "a webhook is required");
        }
        URI url = WebhookTargets.parse("url", r.url());
        List<String> types = eventTypes(r.eventTypes());
        Text.maxChars("description", r.description(), MAX_DESCRIPTION_CHARS);
        boolean team = r.team() != null ? r.team()
                : caller.kind() == Principal.Kind.SERVICE_ACCOUNT || caller.teamIds().size() == 1;
        if (team && caller.teamIds().isEmpty()) {
            throw ApiException.badRequest("team", "the caller belongs to no team; create a personal webhook instead");
        }
        targets.checkForCreation("url", url); // outside the transaction: a lookup may take a while
        String id = Ids.uuid();
        String secret = WebhookSignature.newSecret();
        long now = Times.micros(clock.instant());
        db.write(h -> h.createUpdate("""
                        INSERT INTO webhooks (id, owner_type, owner_id, url, description, event_types, secret, enabled,
                            consecutive_failures, cursor_seq, created_by, created_at, updated_at)
                        VALUES (:id, :ownerType, :ownerId, :url, :description, :types, :secret, :enabled, 0,
                            (SELECT value FROM event_counter WHERE id = 1), :by, :now, :now)""")
                .bind("id", id)
                .bind("ownerType", team ? "Team" : "User")
                .bind("ownerId", team ? caller.teamIds().getFirst() : caller.id())
                .bind("url", url.toString())
                .bind("description", r.description())
                .bind("types", JsonColumns.write(types))
                .bind("secret", secret)
                .bind("enabled", true)
                .bind("by", caller.id())
                .bind("now", now)
                .execute());
        return get(caller, id).withSecret(secret);
    }

    public WebhookItem get(Principal caller, String id) {
        requireManager(caller);
        return db.readOne(h -> visible(h, caller, id));
    }

    /** The webhooks the caller can see, oldest first, a page at a time. */
    public ListWebhooksResponse list(Principal caller, int limit, String rawCursor) {
        requireManager(caller);
        PageCursor cursor = PageCursor.decode(rawCursor, "webhooks");
        List<WebhookItem> rows = db.readOne(h -> h.createQuery(SELECT + " WHERE owner_id IN (<owners>)"
                        + (cursor == null ? "" : " AND (created_at > :at OR (created_at = :at AND id > :id))")
                        + " ORDER BY created_at, id LIMIT <limit>")
                .bindList("owners", caller.ownerIds())
                .bind("at", cursor == null ? 0 : cursor.createdAt()).bind("id", cursor == null ? "" : cursor.tieBreak())
                .define("limit", limit + 1)
                .map((rs, ctx) -> item(rs)).list());
        boolean more = rows.size() > limit;
        List<WebhookItem> page = more ? rows.subList(0, limit) : rows;
        String next = more ? new PageCursor("webhooks", Times.micros(page.getLast().createdAt()), page.getLast().id())
                .encode() : null;
        return new ListWebhooksResponse(page, new PageInfo(more, next));
    }

    /** Deletes the webhook and its delivery log; attempts in flight are not recorded. */
    public void delete(Principal caller, String id) {
        requireManager(caller);
        db.write(h -> {
            locked(h, caller, id);
            h.createUpdate("""
                            DELETE FROM webhook_delivery_attempts WHERE delivery_id IN
                                (SELECT id FROM webhook_deliveries WHERE webhook_id = :id)""").bind("id", id).execute();
            h.createUpdate("DELETE FROM webhook_deliveries WHERE webhook_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM webhooks WHERE id = :id").bind("id", id).execute();
            return null;
        });
    }

    /** The newest deliveries first, a page at a time. */
    public ListDeliveriesResponse deliveries(Principal caller, String id, int limit, String rawCursor) {
        requireManager(caller);
        PageCursor cursor = PageCursor.decode(rawCursor, "deliveries/" + id);
        long sequence;
        try {
            sequence = cursor == null ? 0 : Long.parseLong(cursor.tieBreak());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("cursor", "not a cursor of this list; pass page_info.next_cursor as given");
        }
        return db.read(h -> {
            visible(h, caller, id);
            List<DeliveryItem> rows = h.createQuery(DELIVERY_SELECT + " WHERE webhook_id = :id"
                            + (cursor == null ? "" : " AND (created_at < :at OR (created_at = :at AND event_sequence < :seq))")
                            + " ORDER BY created_at DESC, event_sequence DESC LIMIT <limit>")
                    .bind("id", id).bind("at", cursor == null ? 0 : cursor.createdAt()).bind("seq", sequence)
                    .define("limit", limit + 1)
                    .map((rs, ctx) -> delivery(rs)).list();
            boolean more = rows.size() > limit;
            List<DeliveryItem> page = more ? rows.subList(0, limit) : rows;
            String next = more ? new PageCursor("deliveries/" + id, Times.micros(page.getLast().createdAt()),
                    Long.toString(page.getLast().eventSequence())).encode() : null;
            return new ListDeliveriesResponse(page, new PageInfo(more, next));
        });
    }

    /** One delivery with every attempt recorded for it, oldest first. */
    public DeliveryItem delivery(Principal caller, String id, String deliveryId) {
        requireManager(caller);
        return db.read(h -> {
            visible(h, caller, id);
            DeliveryItem item = (Ids.isUuid(deliveryId) ? h.createQuery(DELIVERY_SELECT
                            + " WHERE id = :delivery AND webhook_id = :id")
                    .bind("delivery", deliveryId).bind("id", id).map((rs, ctx) -> delivery(rs)).findOne()
                    : java.util.Optional.<DeliveryItem>empty())
                    .orElseThrow(() -> ApiException.notFound("deliveryId", "delivery"));
            return item.withAttemptHistory(h.createQuery("""
                            SELECT attempted_at, response_status, latency_ms, error, succeeded
                            FROM webhook_delivery_attempts WHERE delivery_id = :delivery ORDER BY attempted_at, id""")
                    .bind("delivery", deliveryId)
                    .map((rs, ctx) -> {
                        Long code = Rows.nullableLong(rs, "response_status");
                        return new DeliveryAttempt(Times.instant(rs.getLong("attempted_at")),
                                code == null ? null : code.intValue(), rs.getLong("latency_ms"), rs.getString("error"),
                                rs.getBoolean("succeeded"));
                    }).list());
        });
    }

    /**
     * Sends a delivery again from its first attempt, with the same {@code webhook-id}: a receiver that already handled
     * it recognises it. An attempt in flight when this commits is not recorded.
     */
    public DeliveryItem redeliver(Principal caller, String id, String deliveryId) {
        requireManager(caller);
        return db.write(h -> {
            WebhookItem webhook = locked(h, caller, id);
            if (!webhook.enabled()) {
                throw ApiException.conflict("webhookId: the webhook is disabled; enable it first", false);
            }
            int changed = Ids.isUuid(deliveryId) ? h.createUpdate("""
                            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :now,
                                claim_token = NULL WHERE id = :delivery AND webhook_id = :id""")
                    .bind("now", Times.micros(clock.instant())).bind("delivery", deliveryId).bind("id", id)
                    .execute() : 0;
            if (changed == 0) {
                throw ApiException.notFound("deliveryId", "delivery");
            }
            return h.createQuery(DELIVERY_SELECT + " WHERE id = :delivery").bind("delivery", deliveryId)
                    .map((rs, ctx) -> delivery(rs)).one();
        });
    }

    /**
     * Turns a disabled webhook back on. Its pending deliveries are due at once; events that happened while it was
     * disabled are not delivered (the event log has them: {@code GET /agent/events}). Enabling an enabled webhook
     * changes nothing.
     */
    public WebhookItem enable(Principal caller, String id) {
        requireManager(caller);
        db.write(h -> {
            WebhookItem webhook = locked(h, caller, id);
            if (webhook.enabled()) {
                return null;
            }
            long now = Times.micros(clock.instant());
            h.createUpdate("""
                            UPDATE webhooks SET enabled = :yes, disabled_reason = NULL, consecutive_failures = 0,
                                cursor_seq = (SELECT value FROM event_counter WHERE id = 1), updated_at = :now
                            WHERE id = :id""")
                    .bind("yes", true).bind("now", now).bind("id", id).execute();
            h.createUpdate("""
                            UPDATE webhook_deliveries SET next_attempt_at = :now, claim_token = NULL
                            WHERE webhook_id = :id AND status = 'pending'""")
                    .bind("now", now).bind("id", id).execute();
            return null;
        });
        return get(caller, id);
    }

    /** Run-scoped tokens (agents) and worker keys act on runs; subscriptions are their owners' business. */
    private static void requireManager(Principal caller) {
        if (caller.runScope() != null || caller.worker()) {
            throw ApiException.forbidden("webhooks are managed with a user's or a service account's API key, not a"
                    + " run token or a worker key");
        }
    }

    private static List<String> eventTypes(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw ApiException.badRequest("event_types", "at least one event type is required; one of "
                    + new java.util.TreeSet<>(EVENT_TYPES));
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            String t = requested.get(i);
            if (t == null || !EVENT_TYPES.contains(t)) {
                throw ApiException.badRequest("event_types[" + i + "]", "unknown event type " + (t == null ? "null"
                        : "\"" + t + "\"") + "; one of " + new java.util.TreeSet<>(EVENT_TYPES));
            }
            out.add(t);
        }
        return new ArrayList<>(out);
    }

    /** The webhook, its row locked until the transaction ends, so that the delivery pass sees it before or after. */
    private WebhookItem locked(Handle h, Principal caller, String id) {
        if (Ids.isUuid(id)) {
            h.createQuery("SELECT id FROM webhooks WHERE id = :id" + db.dialect().lockRows()).bind("id", id)
                    .mapTo(String.class).findOne();
        }
        return visible(h, caller, id);
    }

    private static WebhookItem visible(Handle h, Principal caller, String id) {
        if (!Ids.isUuid(id)) {
            throw ApiException.notFound("webhookId", "webhook");
        }
        return h.createQuery(SELECT + " WHERE id = :id").bind("id", id).map((rs, ctx) -> item(rs)).findOne()
                .filter(w -> caller.canSee(w.scope().uid()))
                .orElseThrow(() -> ApiException.notFound("webhookId", "webhook"));
    }

    private static final String SELECT = """
            SELECT id, owner_type, owner_id, url, description, event_types, enabled, disabled_reason,
                consecutive_failures, created_by, created_at, updated_at FROM webhooks""";

    private static WebhookItem item(ResultSet rs) throws SQLException {
        return new WebhookItem(rs.getString("id"), rs.getString("url"), rs.getString("description"),
                JsonColumns.read(rs.getString("event_types"), EVENT_TYPES_COLUMN),
                new Scope(rs.getString("owner_type"), rs.getString("owner_id")),
                rs.getBoolean("enabled"), rs.getString("disabled_reason"), rs.getInt("consecutive_failures"),
                rs.getString("created_by"), Times.instant(rs.getLong("created_at")),
                Times.instant(rs.getLong("updated_at")), null);
    }

    static final String DELIVERY_SELECT = """
            SELECT id, webhook_id, event_type, event_sequence, run_id, status, attempts, next_attempt_at,
                last_attempt_at, response_status, latency_ms, error, created_at FROM webhook_deliveries""";

    static DeliveryItem delivery(ResultSet rs) throws SQLException {
        String status = rs.getString("status");
        Long responseStatus = Rows.nullableLong(rs, "response_status");
        return new DeliveryItem(rs.getString("id"), rs.getString("webhook_id"), rs.getString("event_type"),
                rs.getLong("event_sequence"), rs.getString("run_id"), status, rs.getInt("attempts"),
                status.equals("pending") ? Times.instantOrNull(Rows.nullableLong(rs, "next_attempt_at")) : null,
                Times.instantOrNull(Rows.nullableLong(rs, "last_attempt_at")),
                responseStatus == null ? null : responseStatus.intValue(), Rows.nullableLong(rs, "latency_ms"),
                rs.getString("error"), Times.instant(rs.getLong("created_at")), null);
    }
}
