package dev.drover.server.identities;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.drover.api.AgentIdentity;
import dev.drover.api.AgentMemory;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.CreateAgentIdentityRequest;
import dev.drover.api.Harness;
import dev.drover.api.HarnessAuthSecrets;
import dev.drover.api.ListAgentIdentitiesResponse;
import dev.drover.api.McpServerConfig;
import dev.drover.api.RunCreatorInfo;
import dev.drover.api.Scope;
import dev.drover.api.SecretRef;
import dev.drover.api.UpdateAgentIdentityRequest;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.Environments;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.IdentityResolver;
import dev.drover.server.runs.SkillResolver;
import dev.drover.server.secrets.Secrets;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Agent identities ({@code /agent/identities}): a team's named agents. An identity is a principal of its team
 * ({@link Accounts#createAgentPrincipal}); a run naming it ({@code agent_identity_uid}) is created by it, owned by its
 * team, and gets its configuration under the run's own ({@link IdentityResolver#merge}), the instructions of its
 * skills and its secrets. Managed by people only: a service account or an agent's run-scoped token is refused (403),
 * as the spec says. A caller sees the identities of its teams; any other uid is the same 404 as an unknown one.
 */
public final class Identities implements IdentityResolver {
    public static final int UID_LENGTH = 22;
    /** Per team; the list has no pages (the spec's {@code ListAgentIdentitiesResponse} has none), so it is bounded. */
    public static final int MAX_PER_TEAM = 100;
    static final int MAX_SKILLS = 16;
    static final int MAX_SECRETS = 32;
    static final int MAX_DESCRIPTION_CHARS = 1024;

    private final Database db;
    private final Clock clock;
    private final Secrets secrets;
    private final IdentityDefinitions definitions;
    private final IdentityUsers users;

    public Identities(Database db, Clock clock, Environments environments, Secrets secrets, SkillResolver skills,
            ModelCatalog models, IdentityUsers users) {
        this.secrets = secrets;
        this.definitions = new IdentityDefinitions(environments, secrets, skills, models);
        this.users = users;
        this.db = db;
        this.clock = clock;
    }

    public AgentIdentity create(Principal caller, CreateAgentIdentityRequest r) {
        requirePerson(caller);
        if (r == null) {
            throw ApiException.badRequest("body", "an agent identity is required");
        }
        String team = team(caller, r.teamId());
        String id = Ids.alphanumeric(UID_LENGTH);
        Principal as = principal(id, r.name(), team);
        AmbientAgentConfig config = config(r.prompt(), r.harness(), r.harnessAuthSecrets(), r.baseModel(),
                r.environmentId(), r.mcpServers(), r.workerHost());
        // outside the transaction: resolving skills may read repositories
        IdentityDefinitions.Definition d = definitions.check(as, r.name(), description(r.description()), config,
                r.skills() == null ? List.of() : r.skills(), r.secrets() == null ? List.of() : r.secrets());
        long now = Times.micros(clock.instant());
        return db.write(h -> {
            // the team's row is the lock that keeps two concurrent creations from both taking the last place
            h.createQuery("SELECT id FROM teams WHERE id = :t" + db.dialect().lockRows()).bind("t", team)
                    .mapTo(String.class).findOne();
            long live = h.createQuery("SELECT COUNT(*) FROM agent_identities WHERE team_id = :t AND deleted_at IS NULL")
                    .bind("t", team).mapTo(Long.class).one();
            if (live >= MAX_PER_TEAM) {
                throw ApiException.forbidden("name: a team has at most " + MAX_PER_TEAM + " agent identities; delete "
                        + "one first");
            }
            Accounts.createAgentPrincipal(h, id, d.name(), team, now);
            h.createUpdate("""
                            INSERT INTO agent_identities (id, team_id, name, description, config_json, skills_json,
                                secrets_json, creator_id, updater_id, created_at, updated_at)
                            VALUES (:id, :team, :name, :description, :config, :skills, :secrets, :caller, :caller,
                                :now, :now)""")
                    .bind("id", id).bind("team", team).bind("name", d.name()).bind("description", d.description())
                    .bind("config", JsonColumns.write(d.config())).bind("skills", JsonColumns.write(d.skills()))
                    .bind("secrets", JsonColumns.write(d.secrets()))
                    .bind("caller", caller.id()).bind("now", now).execute();
            return find(h, id).orElseThrow();
        });
    }

    public ListAgentIdentitiesResponse list(Principal caller, String teamId) {
        requirePerson(caller);
        String team = team(caller, teamId);
        return new ListAgentIdentitiesResponse(db.readOne(h -> h.createQuery(SELECT
                        + " WHERE a.team_id = :t AND a.deleted_at IS NULL ORDER BY a.created_at, a.id")
                .bind("t", team).map((rs, ctx) -> identity(rs)).list()));
    }

    public AgentIdentity get(Principal caller, String uid) {
        requirePerson(caller);
        return db.readOne(h -> visible(h, caller, uid, "uid"));
    }

    /**
     * A partial update (the SDK's rule): a field left out or null stays; an empty one ({@code ""}, {@code []},
     * {@code {}}) is cleared; any other value replaces the field whole and is checked as on creation.
     */
    public AgentIdentity update(Principal caller, String uid, UpdateAgentIdentityRequest r) {
        requirePerson(caller);
        if (r == null) {
            throw ApiException.badRequest("body", "an update is required");
        }
        AgentIdentity old = get(caller, uid);
        String team = old.scope().uid();
        Principal as = principal(uid, old.name(), team);
        String name = r.name() == null ? old.name() : r.name();
        String description = r.description() == null ? old.description() : description(r.description());
        AmbientAgentConfig config = config(
                cleared(r.prompt(), old.prompt()),
                r.harness() == null ? old.harness() : r.harness().type() == null && r.harness().command() == null
                        ? null : r.harness(),
                r.harnessAuthSecrets() == null ? old.harnessAuthSecrets() : empty(r.harnessAuthSecrets()) ? null
                        : r.harnessAuthSecrets(),
                cleared(r.baseModel(), old.baseModel()),
                cleared(r.environmentId(), old.environmentId()),
                r.mcpServers() == null ? old.mcpServers() : r.mcpServers().isEmpty() ? null : r.mcpServers(),
                cleared(r.workerHost(), old.workerHost()));
        IdentityDefinitions.Definition d = definitions.check(as, name, description, config,
                r.skills() == null ? old.skills() : r.skills(),
                r.secrets() == null ? old.secrets() : r.secrets());
        long now = Times.micros(clock.instant());
        return db.write(h -> {
            lock(h, uid);
            visible(h, caller, uid, "uid"); // deleted meanwhile: 404
            h.createUpdate("""
                            UPDATE agent_identities SET name = :name, description = :description, config_json = :config,
                                skills_json = :skills, secrets_json = :secrets, updater_id = :caller, updated_at = :now
                            WHERE id = :id""")
                    .bind("id", uid).bind("name", d.name()).bind("description", d.description())
                    .bind("config", JsonColumns.write(d.config())).bind("skills", JsonColumns.write(d.skills()))
                    .bind("secrets", JsonColumns.write(d.secrets()))
                    .bind("caller", caller.id()).bind("now", now).execute();
            Accounts.renameAgentPrincipal(h, uid, d.name());
            return find(h, uid).orElseThrow();
        });
    }

    /**
     * Deletes the identity, refused (409, not retryable) while a schedule's runs act as it. Runs it executed keep
     * naming it (their creator and {@code agent_identity_uid}); runs queued before the deletion still run as it,
     * with its secrets. The principal stays (runs reference it) but its API keys are revoked in the same transaction.
     */
    public void delete(Principal caller, String uid) {
        requirePerson(caller);
        db.write(h -> {
            visible(h, caller, uid, "uid");
            // Locked before looking for schedules: a schedule being saved with this identity locks it too
            // (IdentityLinks.scheduleSaved), so either it commits first and is seen here, or it waits and then finds
            // the identity deleted.
            lock(h, uid);
            List<String> schedules = users.namesUsing(h, uid);
            if (!schedules.isEmpty()) {
                throw ApiException.conflict("uid: the agent identity is used by schedule(s) " + String.join(", ",
                        schedules.stream().map(n -> "\"" + n + "\"").toList()) + "; change them (agent_uid: \"\") or "
                        + "delete them first", false);
            }
            long now = Times.micros(clock.instant());
            h.createUpdate("UPDATE agent_identities SET deleted_at = :now WHERE id = :id AND deleted_at IS NULL")
                    .bind("now", now).bind("id", uid).execute();
            Accounts.revokeKeysOf(h, uid, now);
            return null;
        });
    }

    /** {@link IdentityResolver}: the identity a new run acts as, if the caller is in its team. */
    @Override
    public AsIdentity resolve(Principal caller, String uid, String field) {
        AgentIdentity a = db.readOne(h -> visible(h, caller, uid, field));
        // its secrets must still exist: a run that could never be given them is refused now, not failed at its claim
        Principal as = principal(a.uid(), a.name(), a.scope().uid());
        for (SecretRef s : a.secrets()) {
            secrets.requireVisible(as, s.name(), field);
        }
        return new AsIdentity(as, a.scope().uid(), config(a.prompt(), a.harness(), a.harnessAuthSecrets(), a.baseModel(),
                a.environmentId(), a.mcpServers(), a.workerHost()), a.skills());
    }

    /**
     * The names of the secrets a run acting as identity {@code uid} is given, for its claim; also after the identity
     * was deleted (a run queued before still runs as it). Empty for no identity.
     */
    public List<String> secretNames(String uid) {
        if (uid == null) {
            return List.of();
        }
        return db.readOne(h -> h.createQuery("SELECT secrets_json FROM agent_identities WHERE id = :id")
                .bind("id", uid).mapTo(String.class).findOne()
                .map(j -> JsonColumns.read(j, new TypeReference<List<String>>() {})).orElse(List.of()));
    }

    private static void requirePerson(Principal caller) {
        if (caller.runScope() != null || caller.kind() != Principal.Kind.USER) {
            throw ApiException.forbidden("Authorization: only people manage agent identities; "
                    + (caller.runScope() != null ? "a run-scoped token" : "a service account") + " cannot");
        }
    }

    /** The team the caller acts in: {@code team_id} when given (one of its teams), else its only team. */
    private static String team(Principal caller, String teamId) {
        if (teamId != null) {
            Text.notBlankIfPresent("team_id", teamId);
            if (!caller.teamIds().contains(teamId)) {
                throw ApiException.notFound("team_id", "team"); // a team the caller is not in is as good as unknown
            }
            return teamId;
        }
        if (caller.teamIds().isEmpty()) {
            throw ApiException.badRequest("team_id", "the caller belongs to no team; an agent identity is a team's");
        }
        if (caller.teamIds().size() > 1) {
            throw ApiException.badRequest("team_id", "the caller belongs to several teams; say which one with team_id");
        }
        return caller.teamIds().getFirst();
    }

    /** The identity as a principal: a service account of its team, as {@link Accounts#createAgentPrincipal} made it. */
    private static Principal principal(String id, String name, String teamId) {
        return new Principal(id, Principal.Kind.SERVICE_ACCOUNT, name, null, false, List.of(teamId));
    }

    private static AmbientAgentConfig config(String prompt, Harness harness, HarnessAuthSecrets harnessAuthSecrets,
            String baseModel, String environmentId, Map<String, McpServerConfig> mcpServers, String workerHost) {
        return new AmbientAgentConfig(null, baseModel, prompt, environmentId, null, mcpServers, null, null, workerHost,
                harness, harnessAuthSecrets);
    }

    private static boolean empty(HarnessAuthSecrets h) {
        return h.claudeAuthSecretName() == null && h.codexAuthSecretName() == null && h.geminiAuthSecretName() == null;
    }

    /** An update's text field: null keeps {@code old}, {@code ""} clears it. */
    private static String cleared(String given, String old) {
        return given == null ? old : given.isEmpty() ? null : given;
    }

    private static String description(String d) {
        String description = Text.blankIsAbsent("description", d);
        Text.maxChars("description", description, MAX_DESCRIPTION_CHARS);
        return description;
    }

    private void lock(Handle h, String uid) {
        h.createQuery("SELECT id FROM agent_identities WHERE id = :id" + db.dialect().lockRows()).bind("id", uid)
                .mapTo(String.class).findOne();
    }

    private static AgentIdentity visible(Handle h, Principal caller, String uid, String field) {
        if (!isUid(uid)) {
            throw ApiException.notFound(field, "agent identity");
        }
        return find(h, uid).filter(a -> caller.teamIds().contains(a.scope().uid()))
                .orElseThrow(() -> ApiException.notFound(field, "agent identity"));
    }

    private static Optional<AgentIdentity> find(Handle h, String uid) {
        return h.createQuery(SELECT + " WHERE a.id = :id AND a.deleted_at IS NULL").bind("id", uid)
                .map((rs, ctx) -> identity(rs)).findOne();
    }

    private static final String SELECT = """
            SELECT a.*, c.kind AS c_kind, c.display_name AS c_name, c.email AS c_email
            FROM agent_identities a JOIN principals c ON c.id = a.creator_id""";

    private static AgentIdentity identity(ResultSet rs) throws SQLException {
        AmbientAgentConfig c = JsonColumns.read(rs.getString("config_json"), new TypeReference<AmbientAgentConfig>() {});
        List<String> secretNames = JsonColumns.read(rs.getString("secrets_json"), new TypeReference<List<String>>() {});
        return new AgentIdentity(rs.getString("id"), rs.getString("name"), rs.getString("description"), true,
                Times.instant(rs.getLong("created_at")), Times.instant(rs.getLong("updated_at")),
                JsonColumns.read(rs.getString("skills_json"), new TypeReference<List<String>>() {}),
                secretNames.stream().map(SecretRef::new).toList(), AgentMemory.none(), c.basePrompt(), c.harness(),
                c.harnessAuthSecrets(), c.modelId(), c.environmentId(), c.mcpServers(), c.workerHost(), new Scope("Team", rs.getString("team_id")),
                new RunCreatorInfo(rs.getString("c_kind"), rs.getString("creator_id"), rs.getString("c_name"),
                        rs.getString("c_email"), null));
    }

    static boolean isUid(String uid) {
        return uid != null && uid.length() == UID_LENGTH && uid.chars().allMatch(ch ->
                (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'));
    }
}
