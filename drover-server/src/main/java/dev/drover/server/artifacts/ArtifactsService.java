package dev.drover.server.artifacts;

import dev.drover.server.http.JsonBodies;
import dev.drover.server.auth.RequestContext;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /agent/artifacts/{artifactUid}}. */
public final class ArtifactsService implements HttpService {
    private final Artifacts artifacts;

    public ArtifactsService(Artifacts artifacts) {
        this.artifacts = artifacts;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/artifacts/{artifactUid}", (req, res) -> JsonBodies.send(res,
                artifacts.get(RequestContext.principal(req), req.path().pathParameters().get("artifactUid"))));
    }
}
