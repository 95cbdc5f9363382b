package dev.drover.server.environments;

import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.CreateEnvironmentRequest;
import dev.drover.api.DeleteResponse;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.UnsupportedFields;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /agent/environments}: list (the spec), create, get, update and delete (Drover extensions). */
public final class EnvironmentsService implements HttpService {
    private final Environments environments;

    public EnvironmentsService(Environments environments) {
        this.environments = environments;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/environments", this::list)
                .post("/agent/environments", this::create)
                .get("/agent/environments/{uid}", this::get)
                .put("/agent/environments/{uid}", this::update)
                .delete("/agent/environments/{uid}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Environments.Sort sort = new QueryParams(req).string("sort_by").map(v -> switch (v) {
            case "name" -> Environments.Sort.NAME;
            case "last_updated" -> Environments.Sort.LAST_UPDATED;
            default -> throw ApiException.badRequest("sort_by", "unknown value \"" + v + "\"; one of name, last_updated");
        }).orElse(Environments.Sort.LAST_UPDATED);
        JsonBodies.send(res, environments.list(RequestContext.principal(req), sort));
    }

    private void create(ServerRequest req, ServerResponse res) {
        CreateEnvironmentRequest body = JsonBodies.read(req, CreateEnvironmentRequest.class,
                UnsupportedFields.refusing(java.util.List.of("providers"), "cloud provider credentials "
                        + "(providers.aws, providers.gcp) are not supported by this server; use managed secrets (secrets)"));
        var created = environments.create(RequestContext.principal(req), body);
        res.status(Status.CREATED_201);
        JsonBodies.send(res, created);
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, environments.get(RequestContext.principal(req), req.path().pathParameters().get("uid")));
    }

    private void update(ServerRequest req, ServerResponse res) {
        String uid = req.path().pathParameters().get("uid");
        CloudEnvironmentConfig body = JsonBodies.read(req, CloudEnvironmentConfig.class,
                UnsupportedFields.refusing(java.util.List.of("providers"), "cloud provider credentials "
                        + "(providers.aws, providers.gcp) are not supported by this server; use managed secrets (secrets)"));
        JsonBodies.send(res, environments.update(RequestContext.principal(req), uid, body));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        environments.delete(RequestContext.principal(req), req.path().pathParameters().get("uid"));
        JsonBodies.send(res, new DeleteResponse(true));
    }
}
