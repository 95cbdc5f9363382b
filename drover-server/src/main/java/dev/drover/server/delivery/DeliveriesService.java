package dev.drover.server.delivery;

import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.auth.RequestContext;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /agent/runs/{runId}/diff} (a Drover extension): the run's changes as JSON, or as one patch for
 * {@code Accept: text/x-diff} or {@code ?format=patch}.
 */
public final class DeliveriesService implements HttpService {
    static final String PATCH = "text/x-diff";
    private final Deliveries deliveries;

    public DeliveriesService(Deliveries deliveries) {
        this.deliveries = deliveries;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/runs/{runId}/diff", this::diff);
    }

    private void diff(ServerRequest req, ServerResponse res) {
        String runId = req.path().pathParameters().get("runId");
        String format = req.query().first("format").orElse(null);
        if (format != null && !format.equals("json") && !format.equals("patch")) {
            throw ApiException.badRequest("format", "json or patch");
        }
        boolean patch = "patch".equals(format) || (format == null && wantsPatch(req));
        if (patch) {
            res.header(HeaderNames.CONTENT_TYPE, PATCH + "; charset=utf-8")
                    .send(deliveries.patch(RequestContext.principal(req), runId).getBytes(StandardCharsets.UTF_8));
        } else {
            JsonBodies.send(res, deliveries.diff(RequestContext.principal(req), runId));
        }
    }

    /** A patch only for a client that asks for text/x-diff and not for JSON (a browser's {@code *&#47;*} gets JSON). */
    private static boolean wantsPatch(ServerRequest req) {
        return req.headers().acceptedTypes().stream().anyMatch(t -> t.mediaType().text().equalsIgnoreCase(PATCH))
                && req.headers().acceptedTypes().stream().noneMatch(t -> t.mediaType().text().equalsIgnoreCase("application/json"));
    }
}
