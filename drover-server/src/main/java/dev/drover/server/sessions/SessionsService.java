package dev.drover.server.sessions;

import dev.drover.api.SessionRedirect;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.RequestContext;
import dev.drover.server.runs.Runs;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /agent/sessions/{sessionUuid}/redirect}: once a run has finished, its shared session redirects to
 * the conversation; while it runs (or for a session nobody visible owns) the answer is {@code {}}.
 */
public final class SessionsService implements HttpService {
    private final Runs runs;

    public SessionsService(Runs runs) {
        this.runs = runs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/sessions/{sessionUuid}/redirect", this::redirect);
    }

    private void redirect(ServerRequest req, ServerResponse res) {
        Principal caller = RequestContext.principal(req);
        String session = req.path().pathParameters().get("sessionUuid");
        JsonBodies.send(res, runs.bySession(caller, session)
                .map(run -> new SessionRedirect(run.state().isTerminal() ? run.conversationId() : null, run.id()))
                .orElse(new SessionRedirect(null)));
    }
}
