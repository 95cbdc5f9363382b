package dev.drover.server.messages;

import dev.drover.api.Redactor;
import dev.drover.api.SendMessageRequest;
import dev.drover.server.runsecrets.RunSecrets;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.secrets.JsonRedaction;
import dev.drover.server.auth.RequestContext;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /agent/messages}: send, list an inbox, read, mark delivered. */
public final class MessagesService implements HttpService {
    private final Messages messages;
    private final RunSecrets secrets;

    public MessagesService(Messages messages, RunSecrets secrets) {
        this.messages = messages;
        this.secrets = secrets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/agent/messages", this::send)
                .get("/agent/messages/{runId}", this::inbox)
                .post("/agent/messages/{messageId}/read", this::read)
                .post("/agent/messages/{messageId}/delivered", this::delivered);
    }

    private void send(ServerRequest req, ServerResponse res) {
        var caller = RequestContext.principal(req);
        // an agent's message never carries its secrets' values: it could send them to another team's run
        Redactor redactor = secrets.redactorFor(caller);
        SendMessageRequest body = redactor.isEmpty() ? JsonBodies.read(req, SendMessageRequest.class)
                : JsonBodies.read(req, SendMessageRequest.class, tree -> JsonRedaction.redact(tree, redactor));
        JsonBodies.send(res, messages.send(caller, body));
    }

    private void inbox(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        JsonBodies.send(res, messages.inbox(RequestContext.principal(req), req.path().pathParameters().get("runId"),
                q.bool("unread").orElse(false), q.timestamp("since").orElse(null), q.intInRange("limit", 1, 100, 50)));
    }

    private void read(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, messages.read(RequestContext.principal(req), req.path().pathParameters().get("messageId")));
    }

    private void delivered(ServerRequest req, ServerResponse res) {
        messages.delivered(RequestContext.principal(req), req.path().pathParameters().get("messageId"));
        res.status(Status.NO_CONTENT_204).send();
    }
}
