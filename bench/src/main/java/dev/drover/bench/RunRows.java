package dev.drover.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Rows of the {@code runs} table as Drover writes them: every column its insert sets, with realistic sizes.
 * Used by the raw insert baseline and by the bulk load of the list benchmark.
 */
final class RunRows {
    /** The prompt the create benchmark posts; the raw insert row carries the same text. */
    static final String PROMPT = "Fix the flaky integration test in the payments service: it times out waiting for the "
            + "ledger to settle when the build machine is busy. Find the race, make the wait event-driven, and open "
            + "a pull request with the fix and a test that fails without it.";
    static final String TITLE = "Fix the flaky integration test in the payments service";
    static final String CONFIG_NAME = "bench-agent";

    static final String INSERT = """
            INSERT INTO runs (id, owner_type, owner_id, creator_id, title, prompt, state, source, execution_location,
                config_json, config_name, model_id, environment_id, skill_spec, skill_name, agent_skill_json,
                schedule_id, schedule_json, conversation_id, parent_run_id, depth, session_id, interactive,
                metadata_json, created_at, updated_at, started_at, created_seq, updated_seq)
            VALUES (?, 'Team', ?, ?, ?, ?, ?, 'API', 'REMOTE', ?, ?, NULL, ?, ?, ?, NULL, NULL, NULL, ?, NULL, 0, ?,
                FALSE, ?, ?, ?, ?, ?, ?)""";

    /** The list benchmark's vocabulary; every word of {@link #MODULES} is in about 1 of 50 titles. */
    static final List<String> MODULES = List.of("payments", "checkout", "ledger", "search", "billing", "auth",
            "gateway", "inventory", "shipping", "catalog", "pricing", "reporting", "notifications", "scheduler",
            "importer", "exporter", "webhooks", "onboarding", "analytics", "recommendations", "fraud", "identity",
            "storage", "indexer", "crawler", "thumbnailer", "mailer", "audit", "compliance", "tax", "currency",
            "refunds", "subscriptions", "invoicing", "cart", "wishlist", "reviews", "ratings", "loyalty", "coupons",
            "warehouse", "returns", "support", "chat", "feeds", "profiles", "settings", "sessions", "metrics",
            "tracing");
    private static final List<String> TASKS = List.of("Fix the flaky test in", "Refactor the retry logic of",
            "Upgrade dependencies of", "Add integration tests for", "Investigate slow queries in",
            "Document the public API of", "Remove dead code from", "Speed up the build of",
            "Triage open bugs in", "Add structured logging to", "Review the error handling of",
            "Migrate the configuration of");
    private static final List<String> STATES = List.of("QUEUED", "INPROGRESS", "SUCCEEDED", "FAILED", "ERROR",
            "CANCELLED", "BLOCKED");
    private static final int[] STATE_WEIGHTS = {2, 1, 70, 15, 5, 4, 3};
    private static final List<String> SKILLS = List.of("deploy", "triage", "review", "release-notes", "upgrade");
    static final int CONFIG_NAMES = 20;

    private RunRows() {}

    static String configJson(String name) {
        return "{\"name\":\"" + name + "\"}";
    }

    /** The team that owns a baseline's runs and the user who created them. */
    record Owner(String teamId, String userId) {}

    /** Inserts a team and a user for a baseline's runs (their foreign keys), with ids of their own. */
    static Owner insertOwner(Connection c) throws SQLException {
        Owner owner = new Owner(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        long now = System.currentTimeMillis() * 1000;
        try (var s = c.prepareStatement("INSERT INTO teams (id, name, created_at) VALUES (?, 'bench', ?)")) {
            s.setString(1, owner.teamId());
            s.setLong(2, now);
            s.executeUpdate();
        }
        try (var s = c.prepareStatement("""
                INSERT INTO principals (id, kind, display_name, email, is_admin, created_at)
                VALUES (?, 'user', 'bench', 'bench@example.com', FALSE, ?)""")) {
            s.setString(1, owner.userId());
            s.setLong(2, now);
            s.executeUpdate();
        }
        return owner;
    }

    /** The raw insert baseline's row: what Drover stores for the create benchmark's request. */
    static void bindQueued(PreparedStatement ps, String teamId, String creatorId, long nowMicros) throws SQLException {
        int i = 1;
        ps.setString(i++, UUID.randomUUID().toString());
        ps.setString(i++, teamId);
        ps.setString(i++, creatorId);
        ps.setString(i++, TITLE);
        ps.setString(i++, PROMPT);
        ps.setString(i++, "QUEUED");
        ps.setString(i++, configJson(CONFIG_NAME));
        ps.setString(i++, CONFIG_NAME);
        ps.setNull(i++, Types.VARCHAR); // environment_id
        ps.setNull(i++, Types.VARCHAR); // skill_spec
        ps.setNull(i++, Types.VARCHAR); // skill_name
        ps.setString(i++, UUID.randomUUID().toString()); // conversation_id
        ps.setString(i++, UUID.randomUUID().toString()); // session_id
        ps.setNull(i++, Types.VARCHAR); // metadata_json
        ps.setLong(i++, nowMicros);
        ps.setLong(i++, nowMicros);
        ps.setNull(i++, Types.BIGINT); // started_at
        ps.setLong(i++, 0);
        ps.setLong(i, 0);
    }

    /** One generated run of the list benchmark's history. */
    record Generated(String id, String title, String state, String configName, boolean hasMetadata, String module,
            String ticket) {}

    /**
     * Binds run {@code n} of the history: states mostly terminal, 20 agent config names, a skill on one run
     * in ten, metadata ({@code ticket}, {@code module}) on one in ten, one of 5 environments or none.
     */
    static Generated bindHistoric(PreparedStatement ps, Random random, String teamId, String creatorId, long createdAt,
            long seq) throws SQLException {
        String id = UUID.randomUUID().toString();
        String module = MODULES.get(random.nextInt(MODULES.size()));
        String title = TASKS.get(random.nextInt(TASKS.size())) + " the " + module + " service";
        String state = pick(random);
        String configName = "agent-%02d".formatted(random.nextInt(CONFIG_NAMES));
        String skill = random.nextInt(10) == 0 ? SKILLS.get(random.nextInt(SKILLS.size())) : null;
        String environment = random.nextInt(3) == 0 ? null : "env" + random.nextInt(5);
        boolean metadata = random.nextInt(10) == 0;
        String ticket = "ENG-" + (10_000 + random.nextInt(90_000));
        String prompt = title + ". Work on a branch, keep the change small, run the module's tests and open a pull "
                + "request that explains what changed and why. Ticket " + ticket + ".";
        int i = 1;
        ps.setString(i++, id);
        ps.setString(i++, teamId);
        ps.setString(i++, creatorId);
        ps.setString(i++, title);
        ps.setString(i++, prompt);
        ps.setString(i++, state);
        ps.setString(i++, configJson(configName));
        ps.setString(i++, configName);
        ps.setString(i++, environment);
        ps.setString(i++, skill == null ? null : "acme/skills:" + skill);
        ps.setString(i++, skill);
        ps.setString(i++, UUID.randomUUID().toString());
        ps.setString(i++, UUID.randomUUID().toString());
        ps.setString(i++, metadata ? "{\"module\":\"" + module + "\",\"ticket\":\"" + ticket + "\"}" : null);
        ps.setLong(i++, createdAt);
        ps.setLong(i++, createdAt);
        if (state.equals("QUEUED")) {
            ps.setNull(i++, Types.BIGINT);
        } else {
            ps.setLong(i++, createdAt + 1_000_000);
        }
        ps.setLong(i++, seq);
        ps.setLong(i, seq);
        return new Generated(id, title, state, configName, metadata, module, ticket);
    }

    private static String pick(Random random) {
        int r = random.nextInt(100);
        for (int i = 0; i < STATE_WEIGHTS.length; i++) {
            r -= STATE_WEIGHTS[i];
            if (r < 0) {
                return STATES.get(i);
            }
        }
        return STATES.getLast();
    }
}
