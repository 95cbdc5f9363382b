package dev.drover.server.http;

import dev.drover.server.auth.Principal;
import io.helidon.webserver.http.ServerRequest;

/** The authenticated principal travels in the request's context, put there by the auth filter. */
public final class RequestContext {
    private RequestContext() {}

    public static void setPrincipal(ServerRequest req, Principal principal) {
        req.context().register(principal);
    }

    public static Principal principal(ServerRequest req) {
        return req.context().get(Principal.class)
                .orElseThrow(() -> new IllegalStateException("route reached without authentication"));
    }
}
