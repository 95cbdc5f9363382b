package dev.drover.server.sessions;

import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /sessions/{sessionId}}: the page a run's {@code session_link} points to. A session link is shared like a
 * capability, so the page answers anyone who has it — and carries nothing of the run, not even its id: a viewer
 * without a key learns only that the session exists. Its script asks the viewer for a key, finds the run through
 * {@code GET /agent/sessions/{id}/redirect} (whose {@code run_id} only a key that may see the run gets), then reads
 * the run, its transcript and its events with that key, re-rendering on every event until the run ends.
 */
public final class SessionPageService implements HttpService {
    private final Database db;
    private final Supplier<String> publicUrl;
    private final String template;

    public SessionPageService(Database db, Supplier<String> publicUrl) {
        this.db = db;
        this.publicUrl = publicUrl;
        try (InputStream in = SessionPageService.class.getResourceAsStream("/web/session.html")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sessions/{sessionId}", this::page);
    }

    private void page(ServerRequest req, ServerResponse res) {
        String session = req.path().pathParameters().get("sessionId");
        Optional<String> known = !Ids.isUuid(session) ? Optional.empty() : db.readOne(h -> h.createQuery(
                "SELECT id FROM runs WHERE session_id = :s").bind("s", session).mapTo(String.class).findOne());
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'self'; script-src 'unsafe-inline'; "
                + "style-src 'unsafe-inline'; connect-src 'self'");
        if (known.isEmpty()) {
            res.status(Status.NOT_FOUND_404).send("<!doctype html><title>Not found</title><p>No such session.</p>");
            return;
        }
        // both values are server-made (a UUID checked above and the configured URL), never user input
        res.send(template.replace("{{SESSION_ID}}", session).replace("{{API_BASE}}", publicUrl.get() + "/api/v1"));
    }
}
