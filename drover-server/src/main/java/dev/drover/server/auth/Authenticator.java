package dev.drover.server.auth;

import dev.drover.server.http.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@code Authorization: Bearer <key>} to a {@link Principal}. Successful lookups are cached for a few
 * seconds keyed by the key's hash, so the hot read path costs no query; a revoked key stops working on every
 * node within {@link #CACHE_TTL} (and at once on the node that revoked it).
 */
public final class Authenticator {
    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int MAX_CACHED = 10_000;

    private final Accounts accounts;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Principal principal, Instant expires) {}

    public Authenticator(Accounts accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    public Principal authenticate(ServerRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header == null) {
            throw ApiException.unauthenticated("Authorization: a Bearer API key is required");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw ApiException.unauthenticated("Authorization: expected \"Bearer <api key>\"");
        }
        return authenticate(header.substring(7).trim())
                .orElseThrow(() -> ApiException.unauthenticated("Authorization: API key is invalid or revoked"));
    }

    public Optional<Principal> authenticate(String secret) {
        String hash = ApiKeys.hash(secret);
        Instant now = clock.instant();
        Cached hit = cache.get(hash);
        if (hit != null && hit.expires().isAfter(now)) {
            return Optional.of(hit.principal());
        }
        Optional<Principal> found = accounts.authenticate(secret);
        if (found.isPresent()) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(hash, new Cached(found.get(), now.plus(CACHE_TTL)));
        } else {
            cache.remove(hash);
        }
        return found;
    }

    /** Forgets every cached principal, after a key was revoked or memberships changed on this node. */
    public void invalidate() {
        cache.clear();
    }
}
