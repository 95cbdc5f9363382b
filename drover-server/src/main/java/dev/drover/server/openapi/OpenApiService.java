package dev.drover.server.openapi;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: Drover's own OpenAPI document. {@code OpenApiDocumentTest} keeps it in step
 * with the routes the server really registers.
 */
public final class OpenApiService implements HttpService {
    static final String RESOURCE = "/openapi/drover-openapi.json";
    private final byte[] document;

    public OpenApiService() {
        try (InputStream in = OpenApiService.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/openapi.json", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json").send(document));
    }
}
