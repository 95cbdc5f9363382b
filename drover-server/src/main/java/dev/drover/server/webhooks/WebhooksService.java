package dev.drover.server.webhooks;

import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import dev.drover.api.WebhookRecords.CreateWebhookRequest;
import dev.drover.api.WebhookRecords.DeleteWebhookResponse;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /webhooks}: subscribe, list, get, delete, the delivery log, redeliver, re-enable. */
public final class WebhooksService implements HttpService {
    private final Webhooks webhooks;

    public WebhooksService(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/webhooks", this::create)
                .get("/webhooks", this::list)
                .get("/webhooks/{webhookId}", this::get)
                .delete("/webhooks/{webhookId}", this::delete)
                .post("/webhooks/{webhookId}/enable", this::enable)
                .get("/webhooks/{webhookId}/deliveries", this::deliveries)
                .get("/webhooks/{webhookId}/deliveries/{deliveryId}", this::delivery)
                .post("/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", this::redeliver);
    }

    private void create(ServerRequest req, ServerResponse res) {
        var created = webhooks.create(RequestContext.principal(req), JsonBodies.read(req, CreateWebhookRequest.class));
        res.status(Status.CREATED_201);
        JsonBodies.send(res, created);
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, webhooks.list(RequestContext.principal(req),
                new QueryParams(req).intInRange("limit", 1, Webhooks.MAX_WEBHOOKS_PAGE, 50), cursor(req)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, webhooks.get(RequestContext.principal(req), id(req)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        webhooks.delete(RequestContext.principal(req), id(req));
        JsonBodies.send(res, new DeleteWebhookResponse(true));
    }

    private void enable(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, webhooks.enable(RequestContext.principal(req), id(req)));
    }

    private void deliveries(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, webhooks.deliveries(RequestContext.principal(req), id(req), limit(req), cursor(req)));
    }

    private void delivery(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, webhooks.delivery(RequestContext.principal(req), id(req),
                req.path().pathParameters().get("deliveryId")));
    }

    private static String cursor(ServerRequest req) {
        return req.query().first("cursor").orElse(null);
    }

    private void redeliver(ServerRequest req, ServerResponse res) {
        var delivery = webhooks.redeliver(RequestContext.principal(req), id(req),
                req.path().pathParameters().get("deliveryId"));
        res.status(Status.ACCEPTED_202);
        JsonBodies.send(res, delivery);
    }

    private static int limit(ServerRequest req) {
        return new QueryParams(req).intInRange("limit", 1, Webhooks.MAX_DELIVERIES_PAGE, 50);
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("webhookId");
    }
}
