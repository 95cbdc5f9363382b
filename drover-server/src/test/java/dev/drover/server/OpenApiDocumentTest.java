package dev.drover.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import io.helidon.http.Method;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The served OpenAPI document describes exactly the routes the server registers, and is well formed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");
    TestServer server;
    Api.Reply served;
    JsonNode doc;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE);
        served = server.anonymous().get("/openapi.json");
        doc = served.json();
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
    void theDocumentIsServedAsJsonWithoutAKey() {
        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        assertThat(served.header("content-type")).startsWith("application/json");
        assertThat(doc.path("info").path("title").asText()).isEqualTo("Drover API");
    }

    @Test
    void theDocumentDescribesExactlyTheRegisteredRoutes() {
        RecordingRules rules = new RecordingRules();
        List<HttpService> services = server.server().apiServices();
        rules.register(services.toArray(HttpService[]::new));
        assertThat(rules.routes).contains("post /agent/runs", "get /agent/events/stream", "get /openapi.json");
        assertThat(documentedOperations()).isEqualTo(rules.routes);
    }

    /** "method path" of every operation in the document; path parameters keep their names, as routed. */
    private Set<String> documentedOperations() {
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m + " " + p.getKey())));
        return documented;
    }

    @Test
    void anOpenApiParserReadsTheDocumentWithoutAnyMessage() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body(), null, options);
        assertThat(parsed.getMessages()).as("validation messages").isEmpty();
        assertThat(parsed.getOpenAPI()).isNotNull();
        assertThat(parsed.getOpenAPI().getPaths()).hasSize(doc.get("paths").size());
        assertThat(parsed.getOpenAPI().getComponents().getSecuritySchemes().get("bearerAuth").getScheme())
                .isEqualTo("bearer");
    }

    @Test
    void everyPathParameterIsDeclaredAndRequired() {
        doc.get("paths").fields().forEachRemaining(p -> {
            Set<String> inTemplate = new TreeSet<>();
            for (Matcher m = PATH_PARAMETER.matcher(p.getKey()); m.find(); ) {
                inTemplate.add(m.group(1));
            }
            p.getValue().fields().forEachRemaining(op -> {
                Set<String> declared = new TreeSet<>();
                op.getValue().path("parameters").forEach(param -> {
                    if (param.path("in").asText().equals("path")) {
                        assertThat(param.path("required").asBoolean()).as(op.getKey() + " " + p.getKey()).isTrue();
                        declared.add(param.get("name").asText());
                    }
                });
                assertThat(declared).as(op.getKey() + " " + p.getKey()).isEqualTo(inTemplate);
            });
        });
    }

    /**
     * What the document says about authentication is what the server does: every operation that declares bearer
     * auth answers 401 problem+json without a key, and the ones that declare none answer without one (the forges'
     * webhooks, signed instead, only when configured).
     */
    @Test
    void everyOperationThatDeclaresBearerAuthRefusesARequestWithoutAKey() {
        Api anonymous = server.anonymous();
        List<String> checked = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
            String path = PATH_PARAMETER.matcher(p.getKey()).replaceAll("x");
            JsonNode security = op.getValue().has("security") ? op.getValue().get("security") : doc.path("security");
            // [{}, {"bearerAuth": []}]: a key is optional (the redirect checks the SDK sends without one)
            boolean keyOptional = security.toString().equals("[{},{\"bearerAuth\":[]}]");
            boolean needsKey = !security.isEmpty() && !keyOptional;
            if (needsKey) {
                assertThat(security.toString()).isEqualTo("[{\"bearerAuth\":[]}]");
            }
            Api.Reply r = op.getKey().equals("get") ? anonymous.get(path) : anonymous.post(path, "{}");
            if (needsKey) {
                assertThat(r.status()).as(op.getKey() + " " + path + ": " + r).isEqualTo(401);
                assertThat(r.header("content-type")).startsWith("application/problem+json");
            } else if (op.getValue().path("tags").toString().contains("integrations")) {
                // the forges' webhooks are authenticated by the forge's signature instead, and exist only when their
                // secret is configured (this server has none)
                assertThat(r.status()).as(op.getKey() + " " + path + ": " + r).isEqualTo(404);
                assertThat(r.header("content-type")).startsWith("application/problem+json");
            } else {
                assertThat(r.status()).as(op.getKey() + " " + path + ": " + r).isEqualTo(200);
            }
            checked.add(op.getKey() + " " + path);
        }));
        assertThat(checked).hasSize(documentedOperations().size());
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
