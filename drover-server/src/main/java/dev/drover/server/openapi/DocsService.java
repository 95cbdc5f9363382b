package dev.drover.server.openapi;

import dev.drover.api.PlatformErrorCode;
import dev.drover.server.http.Problems;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /docs/errors/{code}}: the public pages that problem documents' {@code type} URIs point to. */
public final class DocsService implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/docs/errors/{code}", this::error);
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
