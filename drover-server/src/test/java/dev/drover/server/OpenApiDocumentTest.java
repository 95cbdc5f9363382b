package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The served OpenAPI document describes exactly the routes the server registers, and is well formed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
    TestServer server;
    JsonNode doc;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE);
        Api.Reply r = server.anonymous().get("/openapi.json");
        assertThat(r.status()).as("served without a key").isEqualTo(200);
        doc = r.json();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Records (method, path) of every route a service declares, instead of serving them. */
    static final class RecordingRules implements HttpRules {
        final Set<String> routes = new TreeSet<>();

        @Override
        public HttpRules register(HttpService... services) {
            for (HttpService s : services) {
                s.routing(this);
            }
            return this;
        }

        @Override
        public HttpRules register(String prefix, HttpService... services) {
            throw new AssertionError("nested registration is not used by Drover's services");
        }

        @Override
        public HttpRules route(HttpRoute route) {
            throw new AssertionError("a route declared in a way this recorder does not understand: " + route);
        }

        @Override
        public HttpRules route(Method method, String path, Handler handler) {
            routes.add(method.text().toLowerCase(Locale.ROOT) + " " + path);
            return this;
        }

        @Override
        public HttpRules get(String path, Handler... handlers) {
            return route(Method.GET, path, handlers[0]);
        }

        @Override
        public HttpRules post(String path, Handler... handlers) {
            return route(Method.POST, path, handlers[0]);
        }

        @Override
        public HttpRules put(String path, Handler... handlers) {
            return route(Method.PUT, path, handlers[0]);
        }

        @Override
        public HttpRules delete(String path, Handler... handlers) {
            return route(Method.DELETE, path, handlers[0]);
        }
    }

    @Test
    void theDocumentDescribesExactlyTheRegisteredRoutes() {
        RecordingRules rules = new RecordingRules();
        List<HttpService> services = server.server().apiServices();
        rules.register(services.toArray(HttpService[]::new));
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m + " " + p.getKey())));
        assertThat(rules.routes).isNotEmpty();
        assertThat(documented).isEqualTo(rules.routes);
    }

    @Test
    void theDocumentIsOpenApi3AndEveryReferenceResolves() {
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("servers").get(0).get("url").asText()).isEqualTo("/api/v1");
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            JsonNode target = doc.at(ref.substring(1));
            assertThat(target.isMissingNode()).as(ref).isFalse();
        }
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op ->
                assertThat(op.getValue().has("operationId") && op.getValue().has("responses")).as(p.getKey()).isTrue()));
    }

    @Test
    void everyWireRecordFieldOfARunIsInTheRunItemSchema() {
        Set<String> documented = new TreeSet<>();
        doc.at("/components/schemas/RunItem/properties").fieldNames().forEachRemaining(documented::add);
        JsonNode sample = Json.mapper().valueToTree(server.admin().get("/agent/runs/" + server.admin().createRun("x")).json());
        for (Iterator<String> it = sample.fieldNames(); it.hasNext(); ) {
            assertThat(documented).contains(it.next());
        }
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }
}
