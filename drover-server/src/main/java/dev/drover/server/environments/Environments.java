package dev.drover.server.environments;

import dev.drover.api.CloudEnvironment;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.CreateEnvironmentRequest;
import dev.drover.api.EnvironmentLastTask;
import dev.drover.api.GitHubRepo;
import dev.drover.api.ListEnvironmentsResponse;
import dev.drover.api.RunCreatorInfo;
import dev.drover.api.RunEnvironment;
import dev.drover.api.RunState;
import dev.drover.api.Scope;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Environments: the repositories cloned into a run's workspace and the setup commands run there before the
 * agent. Scoped like runs (personal or team; a foreign uid is the same 404 as an unknown one). What runs record
 * about them ({@code last_task_created}, {@code setup_failed}) is written by {@link EnvironmentLinks} inside the
 * runs' own transactions.
 */
public final class Environments {
    public static final int UID_LENGTH = 22;

    /** {@code sort_by} of the list. */
    public enum Sort { NAME, LAST_UPDATED }

    private final Database db;
    private final Clock clock;
    private final GitSources git;
    private final EnvironmentUsers users;

    public Environments(Database db, Clock clock, GitSources git, EnvironmentUsers users) {
        this.db = db;
        this.clock = clock;
        this.git = git;
        this.users = users;
    }

    public CloudEnvironment create(Principal caller, CreateEnvironmentRequest request) {
        CloudEnvironmentConfig config = normalise(request.config());
        EnvironmentRequests.validate(config);
        // the same default as runs: team-owned for a service account or a member of exactly one team
        boolean team = request.team() != null ? request.team()
                : caller.kind() == Principal.Kind.SERVICE_ACCOUNT || caller.teamIds().size() == 1;
        if (team && caller.teamIds().isEmpty()) {
            throw ApiException.badRequest("team", "the caller belongs to no team; create a personal environment instead");
        }
        String ownerType = team ? "Team" : "User";
        String ownerId = team ? caller.teamIds().getFirst() : caller.id();
        String uid = Ids.alphanumeric(UID_LENGTH);
        long now = Times.micros(clock.instant());
        return db.write(h -> {
            h.createUpdate("""
                            INSERT INTO environments (uid, owner_type, owner_id, name, config_json, creator_id,
                                last_editor_id, created_at, updated_at)
                            VALUES (:uid, :ownerType, :ownerId, :name, :config, :caller, :caller, :now, :now)""")
                    .bind("uid", uid).bind("ownerType", ownerType).bind("ownerId", ownerId)
                    .bind("name", config.name()).bind("config", JsonColumns.write(config)).bind("caller", caller.id())
                    .bind("now", now).execute();
            return find(h, uid).orElseThrow();
        });
    }

    public CloudEnvironment get(Principal caller, String uid) {
        return db.readOne(h -> visible(h, caller, uid));
    }

    public ListEnvironmentsResponse list(Principal caller, Sort sort) {
        String order = switch (sort) {
            case NAME -> db.dialect().binaryCollation("e.name") + ", e.uid";
            case LAST_UPDATED -> "e.updated_at DESC, e.uid";
        };
        return new ListEnvironmentsResponse(db.readOne(h -> h.createQuery(SELECT
                        + " WHERE e.owner_id IN (<owners>) ORDER BY " + order)
                .bindList("owners", caller.ownerIds())
                .map((rs, ctx) -> environment(rs))
                .list()));
    }

    /** Replaces the configuration (every field; those left out become empty); the scope stays. */
    public CloudEnvironment update(Principal caller, String uid, CloudEnvironmentConfig body) {
        CloudEnvironmentConfig config = normalise(body);
        EnvironmentRequests.validate(config);
        return db.write(h -> {
            visible(h, caller, uid);
            h.createUpdate("""
                            UPDATE environments SET name = :name, config_json = :config, last_editor_id = :caller,
                                updated_at = :now
                            WHERE uid = :uid""")
                    .bind("name", config.name()).bind("config", JsonColumns.write(config)).bind("caller", caller.id())
                    .bind("now", Times.micros(clock.instant())).bind("uid", uid).execute();
            return find(h, uid).orElseThrow();
        });
    }

    /**
     * Deletes the environment; 409 while a schedule names it. Runs keep their {@code environment_id}; a run still queued finds it gone when a
     * worker claims it and fails with {@code resource_not_found}.
     */
    public void delete(Principal caller, String uid) {
        db.write(h -> {
            visible(h, caller, uid);
            // Locked before looking for schedules: a schedule being saved with this environment locks it too
            // (EnvironmentLinks.scheduleSaved), so either it commits first and is seen here, or it waits and
            // then finds the environment gone.
            h.createQuery("SELECT uid FROM environments WHERE uid = :uid" + db.dialect().lockRows())
                    .bind("uid", uid).mapTo(String.class).findOne();
            // schedules share the environment's scope, so the caller can see every one named here
            List<String> schedules = users.namesUsing(h, uid);
            if (!schedules.isEmpty()) {
                throw ApiException.conflict("uid: the environment is used by schedule(s) " + String.join(", ",
                        schedules.stream().map(n -> "\"" + n + "\"").toList()) + "; change or delete them first", false);
            }
            return h.createUpdate("DELETE FROM environments WHERE uid = :uid").bind("uid", uid).execute();
        });
    }

    /**
     * The environment of a run being handed to a worker, with clone URLs resolved from the configured git
     * source; empty when the run has none or it was deleted since the run was created.
     */
    public Optional<RunEnvironment> forRun(String environmentId) {
        if (environmentId == null || !EnvironmentRequests.isUid(environmentId)) {
            return Optional.empty();
        }
        return db.readOne(h -> find(h, environmentId)).map(e -> new RunEnvironment(e.uid(), e.config().name(),
                e.config().dockerImage(), e.config().githubRepos().stream()
                        .map(r -> new RunEnvironment.Repository(r.owner(), r.repo(), git.cloneUrl(r.owner(), r.repo())))
                        .toList(), e.config().setupCommands(),
                e.config().secrets() == null ? List.of() : e.config().secrets(), e.config().deliverOnFailure(),
                e.config().gitSecret()));
    }

    /** The scope (owner id) of an environment, empty when there is none of that uid. */
    public Optional<String> ownerOf(String environmentId) {
        if (environmentId == null || !EnvironmentRequests.isUid(environmentId)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("SELECT owner_id FROM environments WHERE uid = :uid")
                .bind("uid", environmentId).mapTo(String.class).findOne());
    }

    /** The environment whose runs a repository's events start, its scope and the principal its runs act as. */
    public record RepositoryHome(String environmentId, Scope scope, String creatorId) {}

    /**
     * Where a repository's events start runs. The repository belongs to the scope of the oldest environment (by
     * creation, then uid) that lists it; within that scope, the oldest environment that marks the repository
     * ({@code events: true}) is chosen, else the scope's oldest. A mark in any other scope counts for nothing: a team
     * listing a repository later cannot take its events from the team that listed it first by marking. Names are
     * compared case-insensitively, as the forges do. Environments are few (tens per team, not millions), so they are
     * read and matched here rather than indexed by repository.
     */
    public Optional<RepositoryHome> homeOf(String owner, String repo) {
        String wanted = (owner + "/" + repo).toLowerCase(java.util.Locale.ROOT);
        record Listing(RepositoryHome home, boolean marked) {}
        List<Listing> listings = db.readOne(h -> h.createQuery("""
                        SELECT uid, owner_type, owner_id, creator_id, config_json FROM environments
                        ORDER BY created_at, uid""")
                .map((rs, ctx) -> {
                    CloudEnvironmentConfig config = JsonColumns.read(rs.getString("config_json"), CloudEnvironmentConfig.class);
                    GitHubRepo listed = config.githubRepos() == null ? null : config.githubRepos().stream()
                            .filter(r -> (r.owner() + "/" + r.repo()).toLowerCase(java.util.Locale.ROOT).equals(wanted))
                            .findFirst().orElse(null);
                    return listed == null ? null : new Listing(new RepositoryHome(rs.getString("uid"),
                            new Scope(rs.getString("owner_type"), rs.getString("owner_id")), rs.getString("creator_id")),
                            Boolean.TRUE.equals(listed.events()));
                })
                .list().stream().filter(java.util.Objects::nonNull).toList());
        if (listings.isEmpty()) {
            return Optional.empty();
        }
        String scope = listings.getFirst().home().scope().uid();
        List<Listing> own = listings.stream().filter(l -> l.home().scope().uid().equals(scope)).toList();
        return Optional.of(own.stream().filter(Listing::marked).findFirst().orElse(own.getFirst()).home());
    }

    private CloudEnvironment visible(Handle h, Principal caller, String uid) {
        if (!EnvironmentRequests.isUid(uid)) {
            throw ApiException.notFound("uid", "environment");
        }
        return find(h, uid).filter(e -> caller.canSee(e.scope().uid()))
                .orElseThrow(() -> ApiException.notFound("uid", "environment"));
    }

    private static final String SELECT = """
            SELECT e.uid, e.owner_type, e.owner_id, e.config_json, e.updated_at, e.setup_failed, e.last_run_at,
                   c.id AS c_id, c.kind AS c_kind, c.display_name AS c_name, c.email AS c_email,
                   l.id AS l_id, l.kind AS l_kind, l.display_name AS l_name, l.email AS l_email,
                   r.id AS r_id, r.title AS r_title, r.state AS r_state, r.created_at AS r_created,
                   r.updated_at AS r_updated, r.started_at AS r_started
            FROM environments e
            JOIN principals c ON c.id = e.creator_id
            JOIN principals l ON l.id = e.last_editor_id
            LEFT JOIN runs r ON r.id = e.last_run_id""";

    private static Optional<CloudEnvironment> find(Handle h, String uid) {
        return h.createQuery(SELECT + " WHERE e.uid = :uid").bind("uid", uid)
                .map((rs, ctx) -> environment(rs)).findOne();
    }

    private static CloudEnvironment environment(ResultSet rs) throws SQLException {
        EnvironmentLastTask last = rs.getString("r_id") == null ? null : new EnvironmentLastTask(rs.getString("r_id"),
                rs.getString("r_title"), RunState.valueOf(rs.getString("r_state")), Times.instant(rs.getLong("r_created")),
                Times.instant(rs.getLong("r_updated")), Times.instantOrNull(Rows.nullableLong(rs, "r_started")));
        return new CloudEnvironment(rs.getString("uid"), JsonColumns.read(rs.getString("config_json"), CloudEnvironmentConfig.class),
                Times.instant(rs.getLong("updated_at")), Times.instantOrNull(Rows.nullableLong(rs, "last_run_at")), last,
                rs.getBoolean("setup_failed"), new Scope(rs.getString("owner_type"), rs.getString("owner_id")),
                creator(rs, "c"), creator(rs, "l"));
    }

    private static RunCreatorInfo creator(ResultSet rs, String prefix) throws SQLException {
        return new RunCreatorInfo(rs.getString(prefix + "_kind"), rs.getString(prefix + "_id"),
                rs.getString(prefix + "_name"), rs.getString(prefix + "_email"), null);
    }

    /** Lists are stored and returned as lists, never null; blank optional texts are absent. */
    private static CloudEnvironmentConfig normalise(CloudEnvironmentConfig c) {
        if (c.failureSessionRetentionMinutes() != null) {
            // the newer SDK keeps a failed run's session open for debugging that long; Drover's workers retire a
            // run's workspace when it ends and have no debug session to keep, so the setting is refused, not dropped
            throw ApiException.badRequest("failure_session_retention_minutes", "is not supported by this server: a "
                    + "failed run's workspace is retired when the run ends");
        }
        List<GitHubRepo> repos = c.githubRepos() == null ? List.of() : c.githubRepos();
        List<String> commands = c.setupCommands() == null ? List.of() : c.setupCommands();
        List<String> secrets = c.secrets() == null ? List.of() : c.secrets();
        return new CloudEnvironmentConfig(c.name() == null ? null : c.name().strip(), blankToNull(c.description()),
                blankToNull(c.dockerImage()), repos, commands, secrets, c.deliverOnFailure(), null,
                blankToNull(c.gitSecret()));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
