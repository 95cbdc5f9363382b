package dev.drover.forge;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach one forge's REST API.
 *
 * @param apiBase e.g. {@code https://api.github.com}, {@code https://gitlab.example/api/v4}
 * @param token a personal or app token; null for anonymous reads. Never part of {@link #toString()}.
 */
public record ForgeAccess(ForgeKind kind, URI apiBase, String token) {
    public ForgeAccess {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(apiBase, "apiBase");
        String scheme = apiBase.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme) || apiBase.getHost() == null) {
            throw new IllegalArgumentException("forge API base must be an http(s) URL: " + apiBase);
        }
        if (apiBase.getRawUserInfo() != null) {
            // a password in the URL would end up in toString() and in exception messages
            throw new IllegalArgumentException("forge API base must not contain credentials; pass the token");
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    @Override
    public String toString() {
        return "ForgeAccess[kind=" + kind + ", apiBase=" + apiBase + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
