package dev.drover.server.auth;

import io.helidon.webserver.http.ServerRequest;

/** The authenticated principal travels in the request's context, put there by the auth filter. */
public final class RequestContext {
    private RequestContext() {}

    public static void setPrincipal(ServerRequest req, Principal principal) {
        req.context().register(principal);
    }

    /** The principal, or empty on the routes that also answer requests without a key (the redirect checks). */
    public static java.util.Optional<Principal> optionalPrincipal(ServerRequest req) {
        return req.context().get(Principal.class);
    }

    public static Principal principal(ServerRequest req) {
        return req.context().get(Principal.class)
                .orElseThrow(() -> new IllegalStateException("route reached without authentication"));
    }
}
