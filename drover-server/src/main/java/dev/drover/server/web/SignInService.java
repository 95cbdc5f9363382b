package dev.drover.server.web;

import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.Text;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /web/sign-in}, {@code /web/sign-out} and {@code /web/session}: a person exchanges an API key (or a one-time
 * link's token) for a session cookie, the page asks who it is and for its CSRF token, and signs out. The key is sent
 * once, in a POST body, and never stored by the page.
 */
public final class SignInService implements HttpService {
    private static final int MAX_SECRET_CHARS = 512;

    private final WebSessions sessions;
    private final CookieAuth cookies;
    private final Supplier<String> publicUrl;

    public SignInService(WebSessions sessions, CookieAuth cookies, Supplier<String> publicUrl) {
        this.sessions = sessions;
        this.cookies = cookies;
        this.publicUrl = publicUrl;
    }

    /** The sign-in body: exactly one of the two. */
    record SignInRequest(String apiKey, String token) {}

    /** Who is signed in, and the token every write from the page must carry in {@code X-Drover-CSRF}. */
    record SessionView(String principalId, String kind, String displayName, String email, boolean admin,
            List<String> teamIds, String csrfToken) {
        static SessionView of(Principal p, String csrf) {
            return new SessionView(p.id(), p.kind().wire(), p.displayName(), p.email(), p.admin(), p.teamIds(), csrf);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/web/sign-in", this::signIn)
                .post("/web/sign-out", this::signOut)
                .get("/web/session", this::session);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        // a login CSRF (another site signing the victim in as the attacker) is refused like any cross-site write
        cookies.requireSameOrigin(req);
        SignInRequest body = JsonBodies.read(req, SignInRequest.class);
        boolean hasKey = body.apiKey() != null && !body.apiKey().isBlank();
        boolean hasToken = body.token() != null && !body.token().isBlank();
        if (hasKey == hasToken) {
            throw ApiException.badRequest("api_key", "give an API key, or the token of a sign-in link, not both");
        }
        String field = hasKey ? "api_key" : "token";
        String secret = Text.required(field, hasKey ? body.apiKey() : body.token()).strip();
        if (secret.length() > MAX_SECRET_CHARS) {
            throw ApiException.badRequest(field, "at most " + MAX_SECRET_CHARS + " characters");
        }
        WebSessions.Created created;
        try {
            created = hasKey ? sessions.signInWithKey(secret) : sessions.signInWithLink(secret);
        } catch (WebSessions.Refused e) {
            throw ApiException.unauthenticated(field + ": " + e.getMessage());
        }
        res.header(HeaderNames.SET_COOKIE, cookie(created.sessionId(), WebSessions.ABSOLUTE.toSeconds()));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        JsonBodies.send(res, SessionView.of(created.principal(), created.csrfToken()));
    }

    private void signOut(ServerRequest req, ServerResponse res) {
        // signing out is a write like any other: a foreign page must not be able to end a session either
        cookies.authenticate(req);
        CookieAuth.sessionCookie(req).ifPresent(sessions::delete);
        res.header(HeaderNames.SET_COOKIE, cookie("", 0));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void session(ServerRequest req, ServerResponse res) {
        String id = CookieAuth.sessionCookie(req).orElseThrow(() -> ApiException.unauthenticated(
                CookieAuth.COOKIE + ": not signed in"));
        WebSessions.Live live = sessions.find(id).orElseThrow(() -> ApiException.unauthenticated(
                CookieAuth.COOKIE + ": the session has ended (signed out, expired or its key revoked); sign in again"));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        JsonBodies.send(res, SessionView.of(live.principal(), live.csrfToken()));
    }

    /**
     * The session cookie: out of scripts' reach (HttpOnly), never sent with another site's requests
     * (SameSite=Strict), only over TLS when the server is reached over https.
     */
    String cookie(String value, long maxAgeSeconds) {
        return CookieAuth.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds
                + (publicUrl.get().startsWith("https:") ? "; Secure" : "");
    }
}
