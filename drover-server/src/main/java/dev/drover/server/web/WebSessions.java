package dev.drover.server.web;

import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.ApiKeys;
import dev.drover.server.auth.Principal;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The dashboard's sessions and one-time sign-in links. A session is made from an API key (or from a link made for
 * one) and acts as the key's principal; it ends at sign-out, after {@link #IDLE} without a request, after
 * {@link #ABSOLUTE} in any case, and the moment its key is revoked (every lookup joins on the key being live, so
 * revocation through any node or {@code drover keys revoke} ends it everywhere, with no cache to wait for).
 * Only SHA-256 hashes of session ids and link tokens are stored: a copy of the database signs nobody in.
 */
public final class WebSessions {
    public static final Duration IDLE = Duration.ofHours(12);
    public static final Duration ABSOLUTE = Duration.ofDays(7);
    public static final Duration LINK_LIFETIME = Duration.ofMinutes(10);
    /** How stale {@code last_seen_at} may get: recording every request would put a write on every read. */
    private static final long LAST_SEEN_RESOLUTION_MICROS = 60_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Accounts accounts;
    private final Clock clock;

    public WebSessions(Database db, Accounts accounts, Clock clock) {
        this.db = db;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** A new session: the cookie value and the CSRF token are the only copies of the secrets. */
    public record Created(String sessionId, String csrfToken, Principal principal) {}

    /** A live session, as a request authenticated by its cookie sees it. */
    public record Live(Principal principal, String csrfToken) {}

    /** Why a sign-in was refused; the caller turns it into a problem naming the field. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Signs in with an API key. Worker keys and run tokens are for machines and cannot sign a person in. */
    public Created signInWithKey(String secret) throws Refused {
        String hash = ApiKeys.hash(secret);
        Optional<String[]> key = db.readOne(h -> h.createQuery("""
                        SELECT id, principal_id, kind FROM api_keys WHERE secret_hash = :h AND revoked_at IS NULL""")
                .bind("h", hash)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                .findOne());
        if (key.isEmpty()) {
            throw new Refused("the API key is invalid or revoked");
        }
        if (Accounts.WORKER_KEY.equals(key.get()[2])) {
            throw new Refused("worker keys cannot sign in to the dashboard; use a person's key");
        }
        return create(key.get()[0], key.get()[1]);
    }

    /**
     * Signs in with a one-time link token: the first use wins (compare-and-set on {@code used_at}), and the session is
     * made in the same transaction, so a crash between the two can neither burn the link for nothing nor reuse it.
     */
    public Created signInWithLink(String token) throws Refused {
        long now = now();
        String hash = ApiKeys.hash(token);
        String id = secret();
        String csrf = secret();
        Optional<String> principalId = db.write(h -> {
            int claimed = h.createUpdate("""
                            UPDATE web_sign_in_links SET used_at = :now
                            WHERE token_hash = :h AND used_at IS NULL AND expires_at > :now""")
                    .bind("h", hash).bind("now", now).execute();
            if (claimed == 0) {
                return Optional.<String>empty();
            }
            Optional<String[]> key = h.createQuery("""
                            SELECT k.id, k.principal_id FROM web_sign_in_links l JOIN api_keys k ON k.id = l.key_id
                            WHERE l.token_hash = :h AND k.revoked_at IS NULL AND k.kind = :standard""")
                    .bind("h", hash).bind("standard", Accounts.STANDARD_KEY)
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                    .findOne();
            key.ifPresent(k -> insert(h, id, csrf, k[0], k[1], now));
            return key.map(k -> k[1]);
        });
        if (principalId.isEmpty()) {
            throw new Refused("the sign-in link is unknown, used or expired; ask for a new one");
        }
        return new Created(id, csrf, accounts.principal(principalId.get()).orElseThrow());
    }

    private Created create(String keyId, String principalId) {
        String id = secret();
        String csrf = secret();
        long now = now();
        db.write(h -> {
            insert(h, id, csrf, keyId, principalId, now);
            return null;
        });
        return new Created(id, csrf, accounts.principal(principalId).orElseThrow());
    }

    private static void insert(Handle h, String id, String csrf, String keyId, String principalId, long now) {
        h.createUpdate("""
                        INSERT INTO web_sessions (id_hash, principal_id, key_id, csrf_token, created_at, last_seen_at,
                                                  expires_at)
                        VALUES (:id, :p, :k, :csrf, :now, :now, :expires)""")
                .bind("id", ApiKeys.hash(id)).bind("p", principalId).bind("k", keyId).bind("csrf", csrf)
                .bind("now", now).bind("expires", now + ABSOLUTE.toNanos() / 1000)
                .execute();
    }

    /** The live session of a cookie value: known, its key not revoked, neither idle nor past its absolute end. */
    public Optional<Live> find(String sessionId) {
        long now = now();
        String hash = ApiKeys.hash(sessionId);
        Optional<Object[]> row = db.readOne(h -> h.createQuery("""
                        SELECT s.principal_id, s.csrf_token, s.last_seen_at
                        FROM web_sessions s JOIN api_keys k ON k.id = s.key_id
                        WHERE s.id_hash = :h AND k.revoked_at IS NULL AND s.expires_at > :now
                          AND s.last_seen_at > :idle""")
                .bind("h", hash).bind("now", now).bind("idle", now - IDLE.toNanos() / 1000)
                .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
                .findOne());
        if (row.isEmpty()) {
            return Optional.empty();
        }
        if ((long) row.get()[2] < now - LAST_SEEN_RESOLUTION_MICROS) {
            db.write(h -> h.createUpdate("UPDATE web_sessions SET last_seen_at = :now WHERE id_hash = :h")
                    .bind("now", now).bind("h", hash).execute());
        }
        return accounts.principal((String) row.get()[0]).map(p -> new Live(p, (String) row.get()[1]));
    }

    /** Sign-out: the session is gone on every node at once. */
    public void delete(String sessionId) {
        db.write(h -> h.createUpdate("DELETE FROM web_sessions WHERE id_hash = :h")
                .bind("h", ApiKeys.hash(sessionId)).execute());
    }

    /**
     * A one-time sign-in link for the key {@code keyId} (used by {@code drover serve} at start and by
     * {@code drover keys login}); returns the token, which goes into the URL's fragment.
     */
    public String createLink(String keyId) {
        String token = secret();
        long now = now();
        db.write(h -> h.createUpdate("""
                        INSERT INTO web_sign_in_links (token_hash, key_id, created_at, expires_at)
                        VALUES (:h, :k, :now, :expires)""")
                .bind("h", ApiKeys.hash(token)).bind("k", keyId).bind("now", now)
                .bind("expires", now + LINK_LIFETIME.toNanos() / 1000).execute());
        return token;
    }

    /** Removes ended sessions and links, so the tables hold live rows only (called by a periodic pass). */
    public int prune(int batch) {
        long now = now();
        return db.write(h -> h.createUpdate("""
                        DELETE FROM web_sessions WHERE id_hash IN (
                            SELECT id_hash FROM web_sessions WHERE expires_at <= :now OR last_seen_at <= :idle
                            LIMIT <batch>)""")
                .bind("now", now).bind("idle", now - IDLE.toNanos() / 1000).define("batch", batch).execute()
                + h.createUpdate("""
                        DELETE FROM web_sign_in_links WHERE token_hash IN (
                            SELECT token_hash FROM web_sign_in_links WHERE expires_at <= :now LIMIT <batch>)""")
                .bind("now", now).define("batch", batch).execute());
    }

    /** 256 random bits, URL-safe. */
    static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private long now() {
        return Times.micros(clock.instant());
    }
}
