package dev.drover.server.web;

import dev.drover.server.http.ApiException;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard: one HTML shell for every page URL and the static assets (plain ES modules and CSS, shipped in the
 * jar under {@code /web/}) it loads. The pages read and write through {@code /api/v1} like every other client.
 * Asset URLs carry a fingerprint of all assets, so they are cached for a year and a new version is a new URL; the
 * shell is {@code no-store}. Every answer carries a strict Content-Security-Policy: no inline script or style, so an
 * agent's text that slipped into markup could still not run.
 */
public final class WebService implements HttpService {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    /** Every asset, by name; nothing else under /web/ is served. */
    static final List<String> ASSETS = List.of("app.css", "app.js", "api.js", "ui.js", "markdown.js", "sign-in.js",
            "runs.js", "run.js", "new-run.js", "environments.js", "schedules.js", "catalog.js");
    /** The page URLs the shell answers; the router in app.js picks the page by {@code location.pathname}. */
    static final List<String> PAGES = List.of("/sign-in", "/runs", "/runs/new", "/runs/{id}", "/environments",
            "/schedules", "/agents", "/models", "/workers", "/keys", "/sessions/{sessionId}");

    private final Map<String, byte[]> assets = new LinkedHashMap<>();
    private final String version;
    private final byte[] shell;
    /** The shell of {@code /runs} without filters: its module and its first list call start with the HTML. */
    private final byte[] runsShell;
    /** The list call runs.js makes first on a plain {@code /runs}; the preload must name exactly this URL. */
    static final String FIRST_RUNS_PAGE = "/api/v1/agent/runs?limit=50";

    public WebService() {
        MessageDigest sha = sha256();
        for (String name : ASSETS) {
            byte[] bytes = resource(name);
            assets.put(name, bytes);
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
        }
        version = HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        String html = new String(resource("index.html"), StandardCharsets.UTF_8).replace("{{ASSETS}}", assetBase());
        shell = html.replace("{{PRELOAD}}", "").getBytes(StandardCharsets.UTF_8);
        // the runs page is where people land: its data is requested while the HTML is still being parsed
        // (crossorigin: fetch() requests are in cors mode, and a preload is used only by a request of the same mode)
        runsShell = html.replace("{{PRELOAD}}", "<link rel=\"modulepreload\" href=\"" + assetBase() + "/runs.js\">\n"
                + "<link rel=\"preload\" as=\"fetch\" crossorigin href=\"" + FIRST_RUNS_PAGE + "\">\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Where this version's assets live, e.g. {@code /web/assets/3f2a…}. */
    public String assetBase() {
        return "/web/assets/" + version;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> {
            secure(res);
            res.status(Status.FOUND_302).header(HeaderNames.LOCATION, "/runs").send();
        });
        for (String page : PAGES) {
            rules.get(page, this::shell);
        }
        rules.get("/web/assets/{version}/{name}", this::asset);
    }

    private void shell(ServerRequest req, ServerResponse res) {
        secure(res);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        boolean plainRuns = req.path().path().equals("/runs") && req.query().isEmpty();
        res.send(plainRuns ? runsShell : shell);
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
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
