package dev.drover.server.models;

import dev.drover.server.http.JsonBodies;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /agent/models}. */
public final class ModelsService implements HttpService {
    private final ModelCatalog catalog;

    public ModelsService(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/models", (req, res) -> JsonBodies.send(res, catalog.list()));
    }
}
