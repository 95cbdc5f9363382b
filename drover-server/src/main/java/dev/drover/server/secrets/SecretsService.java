package dev.drover.server.secrets;

import dev.drover.api.CreateSecretRequest;
import dev.drover.api.DeleteResponse;
import dev.drover.api.UpdateSecretRequest;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.auth.RequestContext;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /secrets} (a Drover extension; the Oz API names managed secrets but has no endpoints for them): create,
 * list, get, replace the value, delete. No response ever carries a value. Run-scoped tokens are refused before this
 * (RunTokenLane): an agent cannot list, read or change secrets.
 */
public final class SecretsService implements HttpService {
    private final Secrets secrets;

    public SecretsService(Secrets secrets) {
        this.secrets = secrets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/secrets", this::list)
                .post("/secrets", this::create)
                .get("/secrets/{secretId}", this::get)
                .put("/secrets/{secretId}", this::update)
                .delete("/secrets/{secretId}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, secrets.list(RequestContext.principal(req)));
    }

    private void create(ServerRequest req, ServerResponse res) {
        var created = secrets.create(RequestContext.principal(req), JsonBodies.read(req, CreateSecretRequest.class));
        res.status(Status.CREATED_201);
        JsonBodies.send(res, created);
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, secrets.get(RequestContext.principal(req), req.path().pathParameters().get("secretId")));
    }

    private void update(ServerRequest req, ServerResponse res) {
        String uid = req.path().pathParameters().get("secretId");
        JsonBodies.send(res, secrets.update(RequestContext.principal(req), uid,
                JsonBodies.read(req, UpdateSecretRequest.class)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        secrets.delete(RequestContext.principal(req), req.path().pathParameters().get("secretId"));
        JsonBodies.send(res, new DeleteResponse(true));
    }
}
