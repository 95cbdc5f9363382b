package dev.drover.server.badinput;

import dev.drover.server.store.Database;
import java.util.Map;

/**
 * What a write would change: row counts of the tables requests can write, the event log's head (every run
 * change appends an event) and the latest update times of the rows that are edited in place.
 */
final class WriteFingerprint {
    private static final String SQL = """
            SELECT (SELECT COUNT(*) FROM runs) AS runs, (SELECT COUNT(*) FROM run_metadata) AS run_metadata,
                (SELECT COUNT(*) FROM run_attachments) AS run_attachments, (SELECT COUNT(*) FROM artifacts) AS artifacts,
                (SELECT COUNT(*) FROM idempotency_keys) AS idempotency_keys, (SELECT COUNT(*) FROM events) AS events,
                (SELECT MAX(value) FROM event_counter) AS event_head, (SELECT COUNT(*) FROM messages) AS messages,
                (SELECT COUNT(*) FROM messages WHERE read_at IS NOT NULL OR delivered_at IS NOT NULL) AS messages_seen,
                (SELECT COUNT(*) FROM workers) AS workers, (SELECT MAX(last_heartbeat_at) FROM workers) AS heartbeat, (SELECT COUNT(*) FROM transcript_entries) AS transcript,
                (SELECT COUNT(*) FROM environments) AS environments, (SELECT MAX(updated_at) FROM environments) AS env_updated,
                (SELECT COUNT(*) FROM schedules) AS schedules, (SELECT MAX(updated_at) FROM schedules) AS schedule_updated,
                (SELECT COUNT(*) FROM api_keys) AS api_keys, (SELECT COUNT(*) FROM secrets) AS secrets,
                (SELECT MAX(updated_at) FROM secrets) AS secret_updated""";

    private WriteFingerprint() {}

    static Map<String, Object> of(Database db) {
        return db.readOne(h -> h.createQuery(SQL).mapToMap().one());
    }
}
