package dev.drover.server.openapi;

import dev.drover.api.PlatformErrorCode;
import dev.drover.server.http.Problems;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The public pages that need no key: {@code /}, which tells a person who opened the server's address in a browser
 * where the API and its description are, and {@code /docs/errors/{code}}, the pages that problem documents'
 * {@code type} URIs point to.
 */
public final class DocsService implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::home)
                .get("/docs/errors/{code}", this::error);
    }

    private void home(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8").send("""
                <!doctype html><html lang="en"><meta charset="utf-8"><title>Drover</title>
                <h1>Drover</h1>
                <p>This is a Drover server. The Oz Agent API is served under <a href="/api/v1/openapi.json"><code>/api/v1</code></a>
                (every call needs <code>Authorization: Bearer &lt;API key&gt;</code>; the first start wrote the admin key to
                <code>&lt;data-dir&gt;/admin-api-key</code>).</p>
                <ul><li><a href="/api/v1/openapi.json">OpenAPI document</a></li>
                <li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a></li></ul>
                </html>
                """);
    }

    private void error(ServerRequest req, ServerResponse res) {
        String code = req.path().pathParameters().get("code");
        for (PlatformErrorCode c : PlatformErrorCode.values()) {
            if (c.wire().equals(code)) {
                res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                        .send("<!doctype html><title>" + c.wire() + "</title><h1>" + Problems.title(c) + "</h1><p><code>"
                                + c.wire() + "</code>: " + ErrorCatalog.explain(c) + "</p>");
                return;
            }
        }
        throw dev.drover.server.http.ApiException.notFound("code", "error code " + code);
    }
}
