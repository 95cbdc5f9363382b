package dev.drover.server.integrations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.api.PlatformErrorCode;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /integrations/github/webhook} and {@code POST /integrations/gitlab/webhook}: repository events from
 * the forges. No API key: a request is the forge's when its signature (GitHub) or token (GitLab) proves it, checked
 * on the raw body before anything in it is read. An endpoint whose secret is not configured does not exist (404).
 */
public final class IntegrationsService implements HttpService {
    public static final String GITHUB_PATH = "/integrations/github/webhook";
    public static final String GITLAB_PATH = "/integrations/gitlab/webhook";

    private final InboundSettings settings;
    private final InboundRuns runs;
    private final MeterRegistry metrics;

    IntegrationsService(InboundSettings settings, InboundRuns runs, MeterRegistry metrics) {
        this.settings = settings;
        this.runs = runs;
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(GITHUB_PATH, this::github).post(GITLAB_PATH, this::gitlab);
    }

    private void github(ServerRequest req, ServerResponse res) {
        if (settings.githubSecret() == null) {
            throw notConfigured(req);
        }
        byte[] body = body(req);
        if (!ForgeSignatures.githubValid(settings.githubSecret(), body, header(req, "X-Hub-Signature-256").orElse(null))) {
            count("github", "unauthenticated");
            throw ApiException.unauthenticated("X-Hub-Signature-256: missing or not the HMAC-SHA256 of the body with "
                    + "the webhook's secret");
        }
        String event = required(req, "X-GitHub-Event");
        String delivery = deliveryId("X-GitHub-Delivery", header(req, "X-GitHub-Delivery"));
        answer(res, "github", GitHubEvents.parse(event, delivery, json(body), settings));
    }

    private void gitlab(ServerRequest req, ServerResponse res) {
        if (settings.gitlabToken() == null) {
            throw notConfigured(req);
        }
        byte[] body = body(req);
        if (!ForgeSignatures.gitlabValid(settings.gitlabToken(), header(req, "X-Gitlab-Token").orElse(null))) {
            count("gitlab", "unauthenticated");
            throw ApiException.unauthenticated("X-Gitlab-Token: missing or not the webhook's secret token");
        }
        String event = required(req, "X-Gitlab-Event");
        // GitLab keeps Idempotency-Key across the retries of one event (automatic and "Resend request"); older
        // versions send only X-Gitlab-Event-UUID, one per event
        Optional<String> key = header(req, "Idempotency-Key");
        String delivery = key.isPresent() ? deliveryId("Idempotency-Key", key)
                : deliveryId("X-Gitlab-Event-UUID", header(req, "X-Gitlab-Event-UUID"));
        answer(res, "gitlab", GitLabEvents.parse(event, delivery, json(body), settings));
    }

    private void answer(ServerResponse res, String forge, Parsed parsed) {
        InboundRuns.Outcome outcome = switch (parsed) {
            case Parsed.Ignored ignored -> InboundRuns.Outcome.ignored(ignored.reason());
            case Parsed.Start start -> runs.start(start.trigger());
        };
        count(forge, outcome.status());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("status", outcome.status());
        if (outcome.runId() != null) {
            reply.put("run_id", outcome.runId());
        }
        if (outcome.reason() != null) {
            reply.put("reason", outcome.reason());
        }
        res.status(outcome.status().equals("started") ? 201 : 200);
        JsonBodies.send(res, reply);
    }

    private void count(String forge, String outcome) {
        metrics.counter("drover.integrations.events", "forge", forge, "outcome", outcome).increment();
    }

    /** The raw body, at most {@link InboundSettings#MAX_BODY_BYTES}: the signature is over these exact bytes. */
    private static byte[] body(ServerRequest req) {
        if (req.headers().contentLength().orElse(0L) > InboundSettings.MAX_BODY_BYTES) {
            throw tooLarge();
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(InboundSettings.MAX_BODY_BYTES + 1);
            if (bytes.length > InboundSettings.MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, PlatformErrorCode.INVALID_REQUEST, "body: larger than "
                + InboundSettings.MAX_BODY_BYTES + " bytes; subscribe only to the events Drover uses", false);
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("body", "a JSON object is required");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "malformed JSON (GitLab and GitHub webhooks must send application/json)");
        } catch (IOException e) {
            throw ApiException.badRequest("body", "unreadable JSON");
        }
    }

    private static Optional<String> header(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name));
    }

    private static String required(ServerRequest req, String name) {
        String value = header(req, name).map(String::strip).orElse("");
        if (value.isEmpty() || value.length() > 100) {
            throw ApiException.badRequest(name, "is required (1 to 100 characters)");
        }
        return value;
    }

    private static String deliveryId(String name, Optional<String> value) {
        String v = value.map(String::strip).orElse("");
        if (v.isEmpty() || v.length() > 255 || v.indexOf('\0') >= 0) {
            throw ApiException.badRequest(name, "is required: the delivery's id, 1 to 255 characters");
        }
        return v;
    }

    private static ApiException notConfigured(ServerRequest req) {
        // the same answer as any unknown path: an unconfigured integration does not exist
        return new ApiException(404, PlatformErrorCode.RESOURCE_NOT_FOUND,
                "path: no endpoint POST " + req.path().absolute().path(), false);
    }
}
