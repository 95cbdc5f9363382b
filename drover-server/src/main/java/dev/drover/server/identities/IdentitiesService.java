package dev.drover.server.identities;

import dev.drover.api.CreateAgentIdentityRequest;
import dev.drover.api.UpdateAgentIdentityRequest;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /agent/identities}: the spec's createAgent, listAgents, updateAgent, deleteAgent and the newer SDK's get.
 * Run-scoped tokens are refused before this (RunTokenLane), service accounts by {@link Identities}.
 */
public final class IdentitiesService implements HttpService {
    private final Identities identities;

    public IdentitiesService(Identities identities) {
        this.identities = identities;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/identities", this::list)
                .post("/agent/identities", this::create)
                .get("/agent/identities/{uid}", this::get)
                .put("/agent/identities/{uid}", this::update)
                .delete("/agent/identities/{uid}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, identities.list(RequestContext.principal(req),
                new QueryParams(req).string("team_id").orElse(null)));
    }

    private void create(ServerRequest req, ServerResponse res) {
        var created = identities.create(RequestContext.principal(req),
                JsonBodies.read(req, CreateAgentIdentityRequest.class));
        res.status(Status.CREATED_201);
        JsonBodies.send(res, created);
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, identities.get(RequestContext.principal(req), req.path().pathParameters().get("uid")));
    }

    private void update(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, identities.update(RequestContext.principal(req), req.path().pathParameters().get("uid"),
                JsonBodies.read(req, UpdateAgentIdentityRequest.class)));
    }

    /** 204 without a body, as the spec says (the SDK sends {@code Accept: *}{@code /*} and reads nothing). */
    private void delete(ServerRequest req, ServerResponse res) {
        identities.delete(RequestContext.principal(req), req.path().pathParameters().get("uid"));
        res.status(Status.NO_CONTENT_204).send();
    }
}
