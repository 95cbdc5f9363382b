package dev.drover.server.auth;

import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Rows;
import dev.drover.server.store.Times;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Users, service accounts, teams and their API keys: the repository behind auth and {@code drover keys}. */
public final class Accounts {
    private final Database db;
    private final Clock clock;

    private final RunTokenRuns runTokens;

    /** Accounts that authenticate no run-scoped tokens (tools, and tests of the key store alone). */
    public Accounts(Database db, Clock clock) {
        this(db, clock, RunTokenRuns.NONE);
    }

    public Accounts(Database db, Clock clock, RunTokenRuns runTokens) {
        this.db = db;
        this.clock = clock;
        this.runTokens = runTokens;
    }

    private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Runs {@code listener} after a key was revoked or a principal joined a team (once committed), so that whoever
     * caches principals (the {@link Authenticator}) forgets them at once instead of when its entries expire.
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }

    /** A key as listed: never the secret. */
    public record KeyInfo(String id, String name, String prefix, String principalId, String principalName,
            String principalKind, String keyKind, long createdAtMicros, Long lastUsedAtMicros, Long revokedAtMicros) {}

    /** A freshly created key: the only moment the secret exists outside the caller's hands. */
    public record CreatedKey(String id, String secret, Principal principal) {}

    /** How stale {@code last_used_at} may get: recording every request would put a write on every read. */
    private static final long LAST_USED_RESOLUTION_MICROS = 60_000_000L;

    public Optional<Principal> authenticate(String secret) {
        if (secret.startsWith(RUN_TOKEN_PREFIX)) {
            return authenticateRunToken(secret);
        }
        String hash = ApiKeys.hash(secret);
        Optional<Principal> found = db.readOne(h -> h.createQuery("""
                        SELECT p.id, p.kind, p.display_name, p.email, p.is_admin, k.kind
                        FROM api_keys k JOIN principals p ON p.id = k.principal_id
                        WHERE k.secret_hash = :hash AND k.revoked_at IS NULL""")
                .bind("hash", hash)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Boolean.toString(rs.getBoolean(5)), rs.getString(6)})
                .findOne()
                .map(row -> new Principal(row[0], Principal.Kind.ofWire(row[1]), row[2], row[3],
                        Boolean.parseBoolean(row[4]), teamsOf(h, row[0]), WORKER_KEY.equals(row[5]))));
        if (found.isPresent()) {
            long now = now();
            db.write(h -> h.createUpdate("""
                            UPDATE api_keys SET last_used_at = :now
                            WHERE secret_hash = :hash AND (last_used_at IS NULL OR last_used_at < :stale)""")
                    .bind("now", now).bind("hash", hash).bind("stale", now - LAST_USED_RESOLUTION_MICROS)
                    .execute());
        }
        return found;
    }

    public static final String RUN_TOKEN_PREFIX = "drt_";

    /** A run-scoped token: valid while its run has not finished. */
    private Optional<Principal> authenticateRunToken(String secret) {
        return runTokens.heldRun(ApiKeys.hash(secret))
                .flatMap(run -> principal(run.creatorId()).map(p -> p.scopedTo(run.runId())));
    }

    public Optional<Principal> principal(String id) {
        return db.readOne(h -> h.createQuery(
                        "SELECT id, kind, display_name, email, is_admin FROM principals WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Principal(rs.getString(1), Principal.Kind.ofWire(rs.getString(2)),
                        rs.getString(3), rs.getString(4), rs.getBoolean(5), List.of()))
                .findOne()
                .map(p -> new Principal(p.id(), p.kind(), p.displayName(), p.email(), p.admin(), teamsOf(h, p.id()))));
    }

    private static List<String> teamsOf(Handle h, String principalId) {
        return h.createQuery("SELECT team_id FROM team_members WHERE principal_id = :id ORDER BY team_id")
                .bind("id", principalId)
                .mapTo(String.class)
                .list();
    }

    public boolean anyKeyExists() {
        return db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM api_keys").mapTo(Long.class).one()) > 0;
    }

    /** Finds or creates the team called {@code name}; returns its id. */
    public String ensureTeam(String name) {
        return db.write(h -> h.createQuery("SELECT id FROM teams WHERE name = :name").bind("name", name)
                .mapTo(String.class).findOne()
                .orElseGet(() -> {
                    String id = Ids.uuid();
                    h.createUpdate("INSERT INTO teams (id, name, created_at) VALUES (:id, :name, :now)")
                            .bind("id", id).bind("name", name).bind("now", now()).execute();
                    return id;
                }));
    }

    /**
     * Finds the principal of {@code kind} named {@code name} (a user's email, a service account's name) or
     * creates it, and makes it a member of {@code teamId} when given.
     */
    public Principal ensurePrincipal(Principal.Kind kind, String name, String teamId, boolean admin) {
        boolean[] joined = {false};
        String id = db.write(h -> {
            String column = kind == Principal.Kind.USER ? "email" : "display_name";
            // never an agent identity's principal, whose name any team member chooses: a key made by name for a
            // service account must not end up acting as some team's identity
            String found = h.createQuery("SELECT id FROM principals p WHERE kind = :kind AND " + column + " = :name"
                            + " AND NOT EXISTS (SELECT 1 FROM agent_identities a WHERE a.id = p.id)")
                    .bind("kind", kind.wire()).bind("name", name).mapTo(String.class).findOne().orElse(null);
            String pid = found != null ? found : Ids.uuid();
            if (found == null) {
                h.createUpdate("""
                                INSERT INTO principals (id, kind, display_name, email, is_admin, created_at)
                                VALUES (:id, :kind, :display, :email, :admin, :now)""")
                        .bind("id", pid).bind("kind", kind.wire())
                        .bind("display", kind == Principal.Kind.USER ? name.replaceFirst("@.*", "") : name)
                        .bind("email", kind == Principal.Kind.USER ? name : null)
                        .bind("admin", admin).bind("now", now()).execute();
            }
            if (teamId != null) {
                boolean member = h.createQuery(
                                "SELECT COUNT(*) FROM team_members WHERE team_id = :t AND principal_id = :p")
                        .bind("t", teamId).bind("p", pid).mapTo(Long.class).one() > 0;
                if (!member) {
                    h.createUpdate("INSERT INTO team_members (team_id, principal_id) VALUES (:t, :p)")
                            .bind("t", teamId).bind("p", pid).execute();
                    joined[0] = found != null;
                }
            }
            return pid;
        });
        if (joined[0]) {
            changed(); // an existing principal sees more now
        }
        return principal(id).orElseThrow();
    }

    /**
     * Makes agent identity {@code id} a principal in {@code h}'s transaction: a service account named {@code name}
     * that belongs to {@code teamId} only. Its runs are created by it and their run-scoped tokens act as it, so an
     * agent running as an identity reaches what its team owns, never what the person who started it owns alone.
     */
    public static void createAgentPrincipal(Handle h, String id, String name, String teamId, long nowMicros) {
        h.createUpdate("""
                        INSERT INTO principals (id, kind, display_name, email, is_admin, created_at)
                        VALUES (:id, 'service_account', :name, NULL, FALSE, :now)""")
                .bind("id", id).bind("name", name).bind("now", nowMicros).execute();
        h.createUpdate("INSERT INTO team_members (team_id, principal_id) VALUES (:t, :p)")
                .bind("t", teamId).bind("p", id).execute();
    }

    /** An identity renamed: its runs show the new name as their creator's. */
    public static void renameAgentPrincipal(Handle h, String id, String name) {
        h.createUpdate("UPDATE principals SET display_name = :name WHERE id = :id").bind("name", name).bind("id", id)
                .execute();
    }

    /**
     * An identity deleted: every API key of its principal is revoked in the same transaction (the spec's "all API
     * keys associated with the agent are deleted atomically"). The principal row stays, named by its runs.
     */
    public static void revokeKeysOf(Handle h, String principalId, long nowMicros) {
        h.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE principal_id = :p AND revoked_at IS NULL")
                .bind("now", nowMicros).bind("p", principalId).execute();
    }

    /** The kind of key that workers use. */
    public static final String WORKER_KEY = "worker";
    public static final String STANDARD_KEY = "standard";

    /** Creates a key for {@code principal}; {@code secret} may be preset (DROVER_ADMIN_API_KEY) or null. */
    public CreatedKey createKey(Principal principal, String name, String secret) {
        return createKey(principal, name, secret, STANDARD_KEY);
    }

    /** Creates a key of {@code kind} ({@link #STANDARD_KEY} or {@link #WORKER_KEY}). */
    public CreatedKey createKey(Principal principal, String name, String secret, String kind) {
        String key = secret != null ? secret : ApiKeys.generate();
        String id = Ids.uuid();
        db.write(h -> h.createUpdate("""
                        INSERT INTO api_keys (id, principal_id, name, prefix, secret_hash, kind, created_at)
                        VALUES (:id, :p, :name, :prefix, :hash, :kind, :now)""")
                .bind("kind", kind)
                .bind("id", id).bind("p", principal.id()).bind("name", name)
                .bind("prefix", ApiKeys.displayPrefix(key)).bind("hash", ApiKeys.hash(key)).bind("now", now())
                .execute());
        return new CreatedKey(id, key, new Principal(principal.id(), principal.kind(), principal.displayName(),
                principal.email(), principal.admin(), principal.teamIds(), WORKER_KEY.equals(kind)));
    }

    public boolean keyExists(String secret) {
        return db.readOne(h -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE secret_hash = :h")
                .bind("h", ApiKeys.hash(secret)).mapTo(Long.class).one()) > 0;
    }

    public List<KeyInfo> listKeys() {
        return db.readOne(h -> h.createQuery("""
                        SELECT k.id, k.name, k.prefix, p.id, COALESCE(p.email, p.display_name), p.kind, k.kind,
                               k.created_at, k.last_used_at, k.revoked_at
                        FROM api_keys k JOIN principals p ON p.id = k.principal_id
                        ORDER BY k.created_at, k.id""")
                .map((rs, ctx) -> new KeyInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), Rows.nullableLong(rs, 9),
                        Rows.nullableLong(rs, 10)))
                .list());
    }

    /** The id of the live key with this id or displayed prefix (a prefix must name exactly one key). */
    public Optional<String> liveKeyId(String idOrPrefix) {
        List<String> ids = db.readOne(h -> h.createQuery(
                        "SELECT id FROM api_keys WHERE (id = :k OR prefix = :k) AND revoked_at IS NULL ORDER BY id")
                .bind("k", idOrPrefix).mapTo(String.class).list());
        return ids.size() == 1 ? Optional.of(ids.get(0)) : Optional.empty();
    }

    /** The oldest live person's key (not a worker key) of the principal, if any: the one a sign-in link uses. */
    public Optional<String> firstLiveStandardKey(String principalId) {
        return db.readOne(h -> h.createQuery("""
                        SELECT id FROM api_keys WHERE principal_id = :p AND kind = :kind AND revoked_at IS NULL
                        ORDER BY created_at, id""")
                .bind("p", principalId).bind("kind", STANDARD_KEY).mapTo(String.class).findFirst());
    }

    /** The principal whose email (users) or name (service accounts) is {@code name}. */
    public Optional<Principal> principalNamed(Principal.Kind kind, String name) {
        String column = kind == Principal.Kind.USER ? "email" : "display_name";
        return db.readOne(h -> h.createQuery("SELECT id FROM principals WHERE kind = :kind AND " + column + " = :n")
                        .bind("kind", kind.wire()).bind("n", name).mapTo(String.class).findOne())
                .flatMap(this::principal);
    }

    /** Revokes a key by id or by its displayed prefix; false when no live key matches. */
    public boolean revokeKey(String idOrPrefix) {
        boolean revoked = db.write(h -> h.createUpdate(
                        "UPDATE api_keys SET revoked_at = :now WHERE (id = :k OR prefix = :k) AND revoked_at IS NULL")
                .bind("k", idOrPrefix).bind("now", now()).execute()) > 0;
        if (revoked) {
            changed();
        }
        return revoked;
    }

    private long now() {
        return Times.micros(clock.instant());
    }
}
