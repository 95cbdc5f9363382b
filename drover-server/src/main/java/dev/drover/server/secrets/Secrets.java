package dev.drover.server.secrets;

import dev.drover.api.CreateSecretRequest;
import dev.drover.api.ListSecretsResponse;
import dev.drover.api.ManagedSecret;
import dev.drover.api.RunCreatorInfo;
import dev.drover.api.Scope;
import dev.drover.api.UpdateSecretRequest;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managed secrets: named values owned by a user or a team, write-only through the API, encrypted at rest
 * ({@link SecretCipher}) and handed out only to the worker holding a run's lease ({@link #resolve}). Scoped like
 * environments: a foreign uid is the same 404 as an unknown one.
 */
public final class Secrets {
    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
    public static final int UID_LENGTH = 22;
    /** Environment-variable safe: the name is the variable the value is injected as. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    static final int MAX_DESCRIPTION_CHARS = 1024;
    /** Rows re-encrypted per statement batch during a rotation (all in one transaction). */
    private static final int ROTATION_BATCH = 500;

    private final Database db;
    private final Clock clock;
    private final SecretCipher cipher;

    private Secrets(Database db, Clock clock, SecretCipher cipher) {
        this.db = db;
        this.clock = clock;
        this.cipher = cipher;
    }

    /**
     * Opens the secrets of the database with this node's key. The database records the fingerprint of the key its
     * values are sealed with; a node holding another key refuses to start (every node must share the key), unless
     * it also holds that key as its previous one: then every value is re-encrypted under the new key and the
     * fingerprint replaced, in one transaction (a crash leaves all rows under the old key, and the next start
     * rotates again).
     */
    public static Secrets open(Database db, Clock clock, SecretCipher cipher) {
        try {
            check(db, cipher);
        } catch (RuntimeException e) {
            if (!db.dialect().isUniqueViolation(e)) {
                throw e;
            }
            check(db, cipher); // two first nodes inserted at once: the other's key is recorded now, compare with it
        }
        return new Secrets(db, clock, cipher);
    }

    private static void check(Database db, SecretCipher cipher) {
        db.write(h -> {
            Optional<String> recorded = h.createQuery("SELECT key_id FROM secrets_key WHERE id = 1" + db.dialect().lockRows())
                    .mapTo(String.class).findOne();
            if (recorded.isEmpty()) {
                // the first node to start; a second with another key racing here fails on the primary key
                h.createUpdate("INSERT INTO secrets_key (id, key_id) VALUES (1, :k)").bind("k", cipher.keyId()).execute();
                return null;
            }
            if (recorded.get().equals(cipher.keyId())) {
                return null;
            }
            if (!recorded.get().equals(cipher.previousKeyId().orElse(null))) {
                throw new IllegalStateException("the secrets in this database are encrypted with key "
                        + recorded.get() + ", but this node's key is " + cipher.keyId() + ": every node must be given the "
                        + "same key (" + SecretKeys.KEY_VAR + ", or the same " + SecretKeys.KEY_FILE + "); to rotate to a "
                        + "new key, also set " + SecretKeys.PREVIOUS_VAR + " to the old one");
            }
            int rotated = rotate(h, cipher);
            h.createUpdate("UPDATE secrets_key SET key_id = :k WHERE id = 1").bind("k", cipher.keyId()).execute();
            LOG.info("rotated the secrets key: {} secret(s) re-encrypted from key {} to key {}", rotated,
                    recorded.get(), cipher.keyId());
            return null;
        });
    }

    private static int rotate(Handle h, SecretCipher cipher) {
        record Row(String id, String ownerId, String keyId, String ciphertext) {}
        List<Row> rows = h.createQuery("SELECT id, owner_id, key_id, ciphertext FROM secrets ORDER BY id")
                .map((rs, ctx) -> new Row(rs.getString("id"), rs.getString("owner_id"), rs.getString("key_id"),
                        rs.getString("ciphertext"))).list();
        int n = 0;
        var batch = h.prepareBatch("UPDATE secrets SET key_id = :k, ciphertext = :c WHERE id = :id");
        for (Row r : rows) {
            if (r.keyId().equals(cipher.keyId())) {
                continue;
            }
            String value = cipher.open(r.id(), r.ownerId(), new SecretCipher.Sealed(r.keyId(), r.ciphertext()));
            SecretCipher.Sealed sealed = cipher.seal(r.id(), r.ownerId(), value);
            batch.bind("k", sealed.keyId()).bind("c", sealed.ciphertext()).bind("id", r.id()).add();
            if (++n % ROTATION_BATCH == 0) {
                batch.execute();
                batch = h.prepareBatch("UPDATE secrets SET key_id = :k, ciphertext = :c WHERE id = :id");
            }
        }
        if (n % ROTATION_BATCH != 0) {
            batch.execute();
        }
        return n;
    }

    public String keyId() {
        return cipher.keyId();
    }

    public ManagedSecret create(Principal caller, CreateSecretRequest r) {
        String name = name("name", r.name());
        String value = value(r.value());
        String description = description(r.description());
        String ownerId;
        if (r.teamId() != null) {
            Text.notBlankIfPresent("team_id", r.teamId());
            if (Boolean.FALSE.equals(r.team())) {
                throw ApiException.badRequest("team_id", "a personal secret (team: false) belongs to no team");
            }
            if (!caller.teamIds().contains(r.teamId())) {
                throw ApiException.notFound("team_id", "team"); // a team the caller is not in is as good as unknown
            }
            ownerId = r.teamId();
        } else if (!(r.team() != null ? r.team()
                : caller.kind() == Principal.Kind.SERVICE_ACCOUNT || caller.teamIds().size() == 1)) {
            ownerId = caller.id(); // the same default as environments: personal unless exactly one team
        } else if (caller.teamIds().isEmpty()) {
            throw ApiException.badRequest("team", "the caller belongs to no team; create a personal secret instead");
        } else if (caller.teamIds().size() > 1) {
            throw ApiException.badRequest("team_id", "the caller belongs to several teams; say which one owns the secret");
        } else {
            ownerId = caller.teamIds().getFirst();
        }
        String id = Ids.alphanumeric(UID_LENGTH);
        SecretCipher.Sealed sealed = cipher.seal(id, ownerId, value);
        long now = Times.micros(clock.instant());
        return db.write(h -> {
            boolean taken = h.createQuery("SELECT 1 FROM secrets WHERE owner_id = :o AND name = :n")
                    .bind("o", ownerId).bind("n", name).mapTo(Integer.class).findOne().isPresent();
            if (taken) {
                throw ApiException.conflict("name: a secret named " + name + " already exists in this scope; replace its "
                        + "value with PUT /secrets/{uid} or delete it first", false);
            }
            try {
                h.createUpdate("""
                                INSERT INTO secrets (id, owner_type, owner_id, name, description, key_id, ciphertext,
                                    creator_id, updater_id, created_at, updated_at)
                                VALUES (:id, :ownerType, :ownerId, :name, :description, :keyId, :ciphertext, :caller,
                                    :caller, :now, :now)""")
                        .bind("id", id).bind("ownerType", ownerId.equals(caller.id()) ? "User" : "Team")
                        .bind("ownerId", ownerId).bind("name", name).bind("description", description)
                        .bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                        .bind("caller", caller.id()).bind("now", now).execute();
            } catch (RuntimeException e) {
                if (db.dialect().isUniqueViolation(e)) { // a concurrent create of the same name (PostgreSQL)
                    throw ApiException.conflict("name: a secret named " + name + " already exists in this scope", false);
                }
                throw e;
            }
            return find(h, id).orElseThrow();
        });
    }

    public ListSecretsResponse list(Principal caller) {
        return new ListSecretsResponse(db.readOne(h -> h.createQuery(SELECT + " WHERE s.owner_id IN (<owners>) ORDER BY "
                        + db.dialect().binaryCollation("s.name") + ", s.owner_type DESC, s.id")
                .bindList("owners", caller.ownerIds())
                .map((rs, ctx) -> secret(rs)).list()));
    }

    public ManagedSecret get(Principal caller, String uid) {
        return db.readOne(h -> visible(h, caller, uid));
    }

    /** Replaces the value (and the description); the name and scope stay. */
    public ManagedSecret update(Principal caller, String uid, UpdateSecretRequest r) {
        String value = value(r.value());
        String description = description(r.description());
        return db.write(h -> {
            ManagedSecret s = visible(h, caller, uid);
            SecretCipher.Sealed sealed = cipher.seal(uid, s.scope().uid(), value);
            h.createUpdate("""
                            UPDATE secrets SET key_id = :keyId, ciphertext = :ciphertext, description = :description,
                                updater_id = :caller, updated_at = :now
                            WHERE id = :id""")
                    .bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                    .bind("description", description).bind("caller", caller.id())
                    .bind("now", Times.micros(clock.instant())).bind("id", uid).execute();
            return find(h, uid).orElseThrow();
        });
    }

    /** Deletes the secret; runs created before that and not yet started fail when claimed (the value is gone). */
    public void delete(Principal caller, String uid) {
        db.write(h -> {
            visible(h, caller, uid);
            return h.createUpdate("DELETE FROM secrets WHERE id = :id").bind("id", uid).execute();
        });
    }

    /**
     * Refuses (400 naming {@code field}) a name that is not a secret the caller can see: a run referring to it would
     * only fail later, when a worker claims it.
     */
    public void requireVisible(Principal caller, String name, String field) {
        name(field, name);
        boolean found = db.readOne(h -> h.createQuery(
                        "SELECT 1 FROM secrets WHERE name = :n AND owner_id IN (<owners>)")
                .bind("n", name).bindList("owners", caller.ownerIds()).mapTo(Integer.class).findFirst().isPresent());
        if (!found) {
            throw ApiException.badRequest(field, "no secret named " + name + " in the caller's personal or team scope; "
                    + "create it with POST /secrets first");
        }
    }

    /**
     * Refuses (400 naming {@code field}) a name that is not a secret of the scope {@code ownerId} itself ({@code what}
     * says whose name it is).
     */
    public void requireIn(String ownerId, String name, String field, String what) {
        name(field, name);
        boolean found = db.readOne(h -> h.createQuery("SELECT 1 FROM secrets WHERE name = :n AND owner_id = :o")
                .bind("n", name).bind("o", ownerId).mapTo(Integer.class).findFirst().isPresent());
        if (!found) {
            throw ApiException.badRequest(field, what + " " + name + " is not a secret of the environment's own scope "
                    + "(" + ownerId + "); create it there with POST /secrets first");
        }
    }

    /** A secret a run asks for, by name, and how it is used ({@link dev.drover.api.RunSecret#use}). */
    public record Wanted(String name, String use) {}

    /** The values of a run's secrets, or why they cannot all be given. */
    public record Resolution(List<dev.drover.api.RunSecret> secrets, String error) {
        @Override
        public String toString() {
            return "Resolution[" + secrets + ", " + error + "]";
        }
    }

    /**
     * The values of {@code wanted} for a run owned by {@code ownerId}: looked up in the run's own scope only. Not in
     * its creator's other scopes: an environment is edited by everyone in its team, so a name it lists must not
     * reach into another team of whoever happens to start the run (a member of teams X and Y running X's environment
     * would otherwise hand Y's secret of that name to a run every member of X can steer). A name not found, or sealed
     * under a key this node lacks, makes the resolution an error that names it.
     */
    public Resolution resolve(String ownerId, List<Wanted> wanted) {
        if (wanted.isEmpty()) {
            return new Resolution(List.of(), null);
        }
        return db.readOne(h -> {
            List<String> owners = List.of(ownerId);
            record Row(String id, String ownerId, String name, String keyId, String ciphertext) {}
            List<String> names = wanted.stream().map(Wanted::name).distinct().toList();
            Map<String, Row> byName = new LinkedHashMap<>();
            List<Row> rows = h.createQuery("SELECT id, owner_id, name, key_id, ciphertext FROM secrets "
                            + "WHERE name IN (<names>) AND owner_id IN (<owners>)")
                    .bindList("names", names).bindList("owners", owners)
                    .map((rs, ctx) -> new Row(rs.getString("id"), rs.getString("owner_id"), rs.getString("name"),
                            rs.getString("key_id"), rs.getString("ciphertext"))).list();
            for (String owner : owners) {
                for (Row r : rows) {
                    if (r.ownerId().equals(owner)) {
                        byName.putIfAbsent(r.name(), r);
                    }
                }
            }
            List<String> missing = names.stream().filter(n -> !byName.containsKey(n)).toList();
            if (!missing.isEmpty()) {
                return new Resolution(List.of(), "The run's secret(s) " + String.join(", ", missing) + " do not "
                        + "exist in the run's scope (" + ownerId + "); create them there, or they were deleted after the run was created");
            }
            List<dev.drover.api.RunSecret> out = new ArrayList<>();
            for (Wanted w : wanted) {
                Row r = byName.get(w.name());
                try {
                    out.add(new dev.drover.api.RunSecret(w.name(), cipher.open(r.id(), r.ownerId(),
                            new SecretCipher.Sealed(r.keyId(), r.ciphertext())), w.use()));
                } catch (SecretCipher.Refused e) {
                    LOG.error("secret {} ({}) cannot be opened: {}", r.name(), r.id(), e.getMessage());
                    return new Resolution(List.of(), "The run's secret " + w.name() + " cannot be decrypted by this "
                            + "server: " + e.getMessage());
                }
            }
            return new Resolution(out, null);
        });
    }

    private static final String SELECT = """
            SELECT s.id, s.owner_type, s.owner_id, s.name, s.description, s.created_at, s.updated_at,
                   c.id AS c_id, c.kind AS c_kind, c.display_name AS c_name, c.email AS c_email,
                   u.id AS u_id, u.kind AS u_kind, u.display_name AS u_name, u.email AS u_email
            FROM secrets s
            JOIN principals c ON c.id = s.creator_id
            JOIN principals u ON u.id = s.updater_id""";

    private static Optional<ManagedSecret> find(Handle h, String uid) {
        return h.createQuery(SELECT + " WHERE s.id = :id").bind("id", uid).map((rs, ctx) -> secret(rs)).findOne();
    }

    private static ManagedSecret visible(Handle h, Principal caller, String uid) {
        if (!isUid(uid)) {
            throw ApiException.notFound("secretId", "secret");
        }
        return find(h, uid).filter(s -> caller.canSee(s.scope().uid()))
                .orElseThrow(() -> ApiException.notFound("secretId", "secret"));
    }

    private static ManagedSecret secret(ResultSet rs) throws SQLException {
        return new ManagedSecret(rs.getString("id"), rs.getString("name"), rs.getString("description"),
                new Scope(rs.getString("owner_type"), rs.getString("owner_id")), creator(rs, "c"), creator(rs, "u"),
                Times.instant(rs.getLong("created_at")), Times.instant(rs.getLong("updated_at")));
    }

    private static RunCreatorInfo creator(ResultSet rs, String prefix) throws SQLException {
        return new RunCreatorInfo(rs.getString(prefix + "_kind"), rs.getString(prefix + "_id"),
                rs.getString(prefix + "_name"), rs.getString(prefix + "_email"), null);
    }

    /** A secret name as a reference or a new name: environment-variable safe, so that it can be injected as one. */
    public static String name(String field, String name) {
        Text.required(field, name);
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest(field, "a secret name is 1 to 128 letters, digits or underscores, not "
                    + "starting with a digit (it is the environment variable the value is injected as)");
        }
        return name;
    }

    private static String value(String value) {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest("value", "is required and must not be empty");
        }
        Text.refuseNul("value", value);
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw ApiException.badRequest("value", "must be at most " + MAX_VALUE_BYTES + " bytes");
        }
        return value;
    }

    private static String description(String description) {
        String d = Text.blankIsAbsent("description", description);
        Text.maxChars("description", d, MAX_DESCRIPTION_CHARS);
        return d;
    }

    static boolean isUid(String uid) {
        return uid != null && uid.length() == UID_LENGTH && uid.chars().allMatch(ch ->
                (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'));
    }
}
