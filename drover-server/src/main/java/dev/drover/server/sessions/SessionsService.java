package dev.drover.server.sessions;

import dev.drover.api.ConversationRedirect;
import dev.drover.api.SessionRedirect;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.auth.RequestContext;
import dev.drover.server.runs.Runs;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The redirect checks. {@code GET /agent/sessions/{sessionUuid}/redirect}: once a run has finished, its shared
 * session redirects to the conversation; while it runs (or for a session nobody visible owns) the answer is
 * {@code {}}. {@code GET /agent/conversations/{conversationId}/redirect}: while the conversation's newest run is live,
 * its shared session; otherwise {@code {}}. The SDK sends both without a key: such a request sees nothing, and gets
 * {@code {}} — the same bytes as an unknown id or another team's, so neither answer tells whether an id exists.
 */
public final class SessionsService implements HttpService {
    private final Runs runs;

    public SessionsService(Runs runs) {
        this.runs = runs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/sessions/{sessionUuid}/redirect", this::redirect)
                .get("/agent/conversations/{conversationId}/redirect", this::conversationRedirect);
    }

    private void redirect(ServerRequest req, ServerResponse res) {
        String session = req.path().pathParameters().get("sessionUuid");
        JsonBodies.send(res, RequestContext.optionalPrincipal(req).flatMap(caller -> runs.bySession(caller, session))
                .map(run -> new SessionRedirect(run.state().isTerminal() ? run.conversationId() : null, run.id()))
                .orElse(new SessionRedirect(null)));
    }

    private void conversationRedirect(ServerRequest req, ServerResponse res) {
        String conversation = req.path().pathParameters().get("conversationId");
        JsonBodies.send(res, RequestContext.optionalPrincipal(req)
                .flatMap(caller -> runs.newestOfConversation(caller, conversation))
                .filter(run -> !run.state().isTerminal())
                .map(run -> new ConversationRedirect(run.sessionId()))
                .orElse(new ConversationRedirect(null)));
    }
}
