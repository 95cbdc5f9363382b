package dev.drover.server.web;

import dev.drover.api.ListRunsResponse;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.RunListQuery;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Sha256;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard: one HTML shell for every page URL and the static assets (plain ES modules and CSS, shipped in the
 * jar under {@code /web/}) it loads. The pages read and write through {@code /api/v1} like every other client.
 * Asset URLs carry a fingerprint of all assets, so they are cached for a year and a new version is a new URL; the
 * shell is {@code no-store}. The runs page ({@code /runs}, and {@code /}) is where people land: for a signed-in person
 * its shell carries the first page of rows, listed through the same {@link Runs#list} call as the API with the
 * query string's filters and the session's principal ({@link RunsPageHtml}), so its first paint has them. Every answer carries a strict Content-Security-Policy: no inline script or style, so an
 * agent's text that slipped into markup could still not run.
 */
public final class WebService implements HttpService {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    /** Every asset, by name; nothing else under /web/ is served. */
    static final List<String> ASSETS = List.of("app.css", "app.js", "api.js", "ui.js", "markdown.js", "sign-in.js",
            "runs.js", "run.js", "new-run.js", "environments.js", "schedules.js", "catalog.js");
    /** The page URLs the shell answers; the router in app.js picks the page by {@code location.pathname}. */
    static final List<String> PAGES = List.of("/sign-in", "/runs/new", "/runs/{id}", "/environments",
            "/schedules", "/agents", "/models", "/workers", "/keys", "/sessions/{sessionId}");
    /** The runs page's page size when the query string does not say ({@code runs.js} asks for the same). */
    static final int RUNS_PAGE_SIZE = 50;

    private final Map<String, byte[]> assets = new LinkedHashMap<>();
    private final String version;
    private final byte[] shell;
    /**
     * The runs page's shell around its two holes ({@code <main>}'s attributes, its content), split once here: the
     * holes are filled by concatenation, never by searching the filled text for a placeholder, which an agent's
     * title could contain.
     */
    private final String runsBeforeAttributes;
    private final String runsBeforeMain;
    private final String runsAfterMain;
    private final Runs runs;
    private final CookieAuth cookies;

    public WebService(Runs runs, CookieAuth cookies) {
        this.runs = runs;
        this.cookies = cookies;
        MessageDigest sha = sha256();
        for (String name : ASSETS) {
            byte[] bytes = resource(name);
            assets.put(name, bytes);
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
        }
        version = HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        String html = new String(resource("index.html"), StandardCharsets.UTF_8).replace("{{ASSETS}}", assetBase());
        shell = html.replace("{{TITLE}}", "Drover").replace("{{PRELOAD}}", "").replace("{{NAV}}", "")
                .replace("{{MAIN_ATTRIBUTES}}", "").replace("{{MAIN}}", "<p class=\"muted\">Loading…</p>")
                .getBytes(StandardCharsets.UTF_8);
        String runsShell = html.replace("{{TITLE}}", "Runs · Drover")
                .replace("{{PRELOAD}}", "<link rel=\"modulepreload\" href=\"" + assetBase() + "/runs.js\">\n")
                .replace("{{NAV}}", RunsPageHtml.nav());
        int attributes = runsShell.indexOf("{{MAIN_ATTRIBUTES}}");
        int main = runsShell.indexOf("{{MAIN}}");
        runsBeforeAttributes = runsShell.substring(0, attributes);
        runsBeforeMain = runsShell.substring(attributes + "{{MAIN_ATTRIBUTES}}".length(), main);
        runsAfterMain = runsShell.substring(main + "{{MAIN}}".length());
    }

    /** Where this version's assets live, e.g. {@code /web/assets/3f2a…}. */
    public String assetBase() {
        return "/web/assets/" + version;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::runsPage);
        rules.get("/runs", this::runsPage);
        for (String page : PAGES) {
            rules.get(page, this::shell);
        }
        rules.get("/web/assets/{version}/{name}", this::asset);
    }

    private void shell(ServerRequest req, ServerResponse res) {
        sendHtml(res, shell);
    }

    /**
     * The runs page with its first page of rows for a signed-in person. Signed out, or with a filter the API refuses,
     * it is the plain shell: the script then signs the person in, or shows the API's own problem next to the field.
     */
    private void runsPage(ServerRequest req, ServerResponse res) {
        Optional<Principal> principal = cookies.signedIn(req);
        if (principal.isEmpty()) {
            sendHtml(res, shell);
            return;
        }
        ListRunsResponse page;
        try {
            // the same default page size as runs.js asks for
            page = runs.list(principal.get(), RunListQuery.parse(req, RUNS_PAGE_SIZE));
        } catch (ApiException refused) {
            sendHtml(res, shell);
            return;
        }
        boolean filtered = !req.query().isEmpty();
        sendHtml(res, (runsBeforeAttributes + RunsPageHtml.mainAttributes(page) + runsBeforeMain
                + RunsPageHtml.main(page, filtered) + runsAfterMain).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendHtml(ServerResponse res, byte[] page) {
        secure(res);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(page);
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        byte[] bytes = assets.get(name);
        if (bytes == null) {
            throw ApiException.notFound("name", "dashboard asset " + name);
        }
        secure(res);
        // an old page asking for its own version during an upgrade gets today's file, which must not stick
        res.header(HeaderNames.CACHE_CONTROL, version.equals(req.path().pathParameters().get("version"))
                ? "public, max-age=31536000, immutable" : "no-cache");
        res.header(HeaderNames.CONTENT_TYPE, name.endsWith(".css") ? "text/css; charset=utf-8"
                : "text/javascript; charset=utf-8");
        res.send(bytes);
    }

    /** The headers every dashboard answer carries. */
    static void secure(ServerResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebService.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset missing from the jar: /web/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        return Sha256.digest();
    }
}
