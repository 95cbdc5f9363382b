package dev.drover.forge;

import java.net.URI;
import java.util.Objects;

/** Which forge a deployment's repositories live on, and where its REST API is: a {@link ForgeAccess} without the token. */
public record ForgeEndpoint(ForgeKind kind, URI apiBase) {
    public ForgeEndpoint {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(apiBase, "apiBase");
    }

    public ForgeAccess withToken(String token) {
        return new ForgeAccess(kind, apiBase, token);
    }
}
