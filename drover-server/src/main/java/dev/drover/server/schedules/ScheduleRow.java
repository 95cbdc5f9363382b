package dev.drover.server.schedules;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.RunCreatorInfo;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;

/** A schedule as stored, with its creator and last editor: what the CRUD and the ticks read. */
record ScheduleRow(String id, String ownerType, String ownerId, String name, String cron, boolean enabled,
        String prompt, String configJson, RunCreatorInfo creator, RunCreatorInfo updater, long createdAt,
        long updatedAt, Long nextRun, Long lastRan, String lastSpawnError, String environmentJson,
        String agentIdentityId, String metadataJson, String mode) {
    /** Every column of a schedule, with its creator's and last editor's names and its environment's config. */
    static final String SELECT = """
            SELECT s.*, c.kind AS c_kind, c.display_name AS c_name, c.email AS c_email,
                u.kind AS u_kind, u.display_name AS u_name, u.email AS u_email, e.config_json AS environment_json
            FROM schedules s JOIN principals c ON c.id = s.created_by JOIN principals u ON u.id = s.updated_by
            LEFT JOIN environments e ON e.uid = s.environment_id""";

    @SuppressWarnings("unchecked")
    java.util.Map<String, String> metadata() {
        return JsonColumns.read(metadataJson, java.util.Map.class);
    }

    CloudEnvironmentConfig environment() {
        return JsonColumns.read(environmentJson, CloudEnvironmentConfig.class);
    }

    AmbientAgentConfig config() {
        return JsonColumns.read(configJson, AmbientAgentConfig.class);
    }

    static ScheduleRow of(ResultSet rs) throws SQLException {
        return new ScheduleRow(rs.getString("id"), rs.getString("owner_type"), rs.getString("owner_id"),
                rs.getString("name"), rs.getString("cron_schedule"), rs.getBoolean("enabled"), rs.getString("prompt"),
                rs.getString("config_json"),
                new RunCreatorInfo(rs.getString("c_kind"), rs.getString("created_by"), rs.getString("c_name"),
                        rs.getString("c_email"), null),
                new RunCreatorInfo(rs.getString("u_kind"), rs.getString("updated_by"), rs.getString("u_name"),
                        rs.getString("u_email"), null),
                rs.getLong("created_at"), rs.getLong("updated_at"),
                Rows.nullableLong(rs, "next_run"), Rows.nullableLong(rs, "last_ran"), rs.getString("last_spawn_error"),
                rs.getString("environment_json"), rs.getString("agent_identity_id"), rs.getString("metadata_json"),
                rs.getString("mode"));
    }
}
