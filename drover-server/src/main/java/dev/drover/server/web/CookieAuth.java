package dev.drover.server.web;

import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Authentication by the dashboard's session cookie, for requests that carry no {@code Authorization} header. A
 * browser sends cookies with requests other sites make, so every request that changes something must prove it
 * comes from Drover's own pages: the session's CSRF token in {@code X-Drover-CSRF} (other sites cannot read it)
 * and a same-origin {@code Sec-Fetch-Site} or {@code Origin} (defence in depth, and the only guard of sign-in).
 */
public final class CookieAuth {
    public static final String COOKIE = "drover_session";
    public static final String CSRF_HEADER = "X-Drover-CSRF";

    private final WebSessions sessions;
    private final Supplier<String> publicUrl;

    public CookieAuth(WebSessions sessions, Supplier<String> publicUrl) {
        this.sessions = sessions;
        this.publicUrl = publicUrl;
    }

    /** The session cookie's value, if the request has one. */
    public static Optional<String> sessionCookie(ServerRequest req) {
        for (String header : req.headers().all(HeaderNames.COOKIE, java.util.List::of)) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(COOKIE)) {
                    String value = pair.substring(eq + 1).trim();
                    return value.isEmpty() ? Optional.empty() : Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    /** The signed-in person of a page request (a read: no CSRF token needed), if the session is live. */
    public Optional<Principal> signedIn(ServerRequest req) {
        return sessionCookie(req).flatMap(sessions::find).map(WebSessions.Live::principal);
    }

    /** The principal of the request's session; refuses an unknown or ended session (401) and a forged write (403). */
    public Principal authenticate(ServerRequest req) {
        String id = sessionCookie(req).orElseThrow(() -> ApiException.unauthenticated(
                "Authorization: a Bearer API key or a dashboard session is required"));
        WebSessions.Live live = sessions.find(id).orElseThrow(() -> ApiException.unauthenticated(
                COOKIE + ": the session has ended (signed out, expired or its key revoked); sign in again"));
        if (!isSafe(req.prologue().method().text())) {
            requireSameOrigin(req);
            String sent = req.headers().first(HeaderNames.create(CSRF_HEADER)).orElse("");
            if (!MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    live.csrfToken().getBytes(StandardCharsets.UTF_8))) {
                throw ApiException.forbidden(CSRF_HEADER + ": a request authenticated by the session cookie must "
                        + "carry the session's CSRF token");
            }
        }
        return live.principal();
    }

    static boolean isSafe(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    /**
     * Refuses a request a browser made for another site: {@code Sec-Fetch-Site} must be {@code same-origin} when
     * sent, and otherwise {@code Origin} must be this server's (the public URL's, or the address the request was
     * sent to). A request with neither header is refused too: every browser sends one on a cross-origin write.
     */
    public void requireSameOrigin(ServerRequest req) {
        Optional<String> site = req.headers().first(HeaderNames.create("Sec-Fetch-Site"));
        if (site.isPresent()) {
            if (!site.get().equals("same-origin")) {
                throw ApiException.forbidden("Sec-Fetch-Site: " + site.get()
                        + " requests cannot use the dashboard's session; only Drover's own pages can");
            }
            return;
        }
        String origin = req.headers().first(HeaderNames.ORIGIN).orElseThrow(() -> ApiException.forbidden(
                "Origin: a write with the dashboard's session must come from Drover's own pages (no Origin sent)"));
        if (!origin.equals(origin(publicUrl.get())) && !origin.equals("http://" + host(req))
                && !origin.equals("https://" + host(req))) {
            throw ApiException.forbidden("Origin: " + origin + " is not this server; a write with the dashboard's "
                    + "session must come from Drover's own pages");
        }
    }

    private static String host(ServerRequest req) {
        return req.headers().first(HeaderNames.HOST).orElse("");
    }

    /** scheme://host[:port] of a URL, as browsers write it in {@code Origin}. */
    static String origin(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }
}
