package dev.drover.server.ops;

import dev.drover.server.store.Database;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Unauthenticated operational endpoints: liveness, readiness (the database answers) and Prometheus metrics. */
public final class OpsService implements HttpService {
    private final Database db;
    private final PrometheusMeterRegistry metrics;

    public OpsService(Database db, PrometheusMeterRegistry metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/healthz", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json")
                        .send("{\"status\":\"UP\"}"))
                .get("/readyz", (req, res) -> {
                    boolean up = db.ping();
                    res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                            .header(HeaderNames.CONTENT_TYPE, "application/json")
                            .send(up ? "{\"status\":\"UP\",\"database\":\"UP\"}" : "{\"status\":\"DOWN\",\"database\":\"DOWN\"}");
                })
                .get("/metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .send(metrics.scrape()));
    }
}
