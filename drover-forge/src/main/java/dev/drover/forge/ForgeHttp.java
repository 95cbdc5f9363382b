package dev.drover.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One JSON request to a forge: its auth header, a timeout, and a {@link ForgeException} for anything but 2xx. */
final class ForgeHttp {
    private static final ObjectMapper JSON = Json.mapper();
    private static final int MAX_MESSAGE = 500;
    private static final int MAX_BODY = 16 * 1024 * 1024;
    static final String USER_AGENT = "drover";

    private static final ScheduledExecutorService TIMER =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("forge-timeout").factory());

    private final ForgeAccess access;
    private final HttpClient http;
    private final Duration timeout;
    private final String base;

    ForgeHttp(ForgeAccess access, HttpClient http, Duration timeout) {
        this.access = access;
        this.http = http;
        this.timeout = timeout;
        this.base = access.apiBase().toString().replaceAll("/+$", "");
    }

    static String encode(String value) {
        // URLEncoder is form encoding: a space would be '+', which a path or query reads as '+'
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode get(String path) throws ForgeException, InterruptedException {
        return send("GET", path, null);
    }

    JsonNode post(String path, Map<String, ?> body) throws ForgeException, InterruptedException {
        return send("POST", path, body);
    }

    private JsonNode send(String method, String path, Map<String, ?> body) throws ForgeException, InterruptedException {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", access.kind() == ForgeKind.GITHUB ? "application/vnd.github+json" : "application/json")
                .header("User-Agent", USER_AGENT);
        if (access.kind() == ForgeKind.GITHUB) {
            request.header("X-GitHub-Api-Version", "2022-11-28");
        }
        if (access.token() != null) {
            switch (access.kind()) {
                case GITHUB -> request.header("Authorization", "Bearer " + access.token());
                case GITLAB -> request.header("PRIVATE-TOKEN", access.token());
                case GITEA -> request.header("Authorization", "token " + access.token());
            }
        }
        if (body == null) {
            request.GET();
        } else {
            try {
                request.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write a forge request body", e);
            }
        }
        String where = method + " " + uri.getPath();
        int status;
        byte[] raw;
        long deadline = System.nanoTime() + timeout.toNanos();
        AtomicBoolean timedOut = new AtomicBoolean();
        try {
            // the request's timeout ends when the headers arrive; the body is read under the same deadline, closed
            // by a timer when it is up, so that a forge dripping its answer cannot hold a worker or request thread
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            InputStream in = response.body();
            ScheduledFuture<?> guard = TIMER.schedule(() -> {
                timedOut.set(true);
                closeQuietly(in);
            }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            try (in) {
                // a page of 100 GitHub pull requests is a few MiB; more than MAX_BODY is not read into memory
                raw = in.readNBytes(MAX_BODY + 1);
            } finally {
                guard.cancel(false);
            }
        } catch (IOException e) {
            // the transport's message names host and port at most, never a header
            throw new ForgeException(0, where + (timedOut.get() ? ": answer not complete within " + timeout
                    : ": no answer from " + uri.getHost() + ": " + e), "", e);
        }
        if (timedOut.get()) {
            throw new ForgeException(0, where + ": answer not complete within " + timeout, "", null);
        }
        if (raw.length > MAX_BODY) {
            throw new ForgeException(status, where + " answered more than " + MAX_BODY + " bytes", "", null);
        }
        JsonNode answer = parse(raw);
        if (status / 100 != 2) {
            String said = scrub(forgeMessage(answer, raw));
            throw new ForgeException(status, where + " answered " + status + (said.isEmpty() ? "" : ": " + said), said, null);
        }
        if (answer == null) {
            throw new ForgeException(status, where + " answered " + status + " without a JSON body", "", null);
        }
        return answer;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the stream end or fail either way
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * GitHub says {@code message} and a list of {@code errors}; GitLab {@code message} (a string, a list or a map of
     * field to list) or {@code error}; Gitea {@code message}.
     */
    private static String forgeMessage(JsonNode answer, byte[] raw) {
        if (answer == null || !answer.isObject()) {
            String text = new String(raw, StandardCharsets.UTF_8).strip();
            return text.startsWith("<") ? "" : truncate(text);
        }
        StringBuilder said = new StringBuilder();
        for (String field : new String[] {"message", "error"}) {
            JsonNode node = answer.get(field);
            if (node != null && !node.isNull()) {
                append(said, node.isTextual() ? node.asText() : node.toString());
            }
        }
        JsonNode errors = answer.get("errors");
        if (errors != null && errors.isArray()) {
            for (JsonNode error : errors) {
                append(said, error.hasNonNull("message") ? error.get("message").asText()
                        : error.isTextual() ? error.asText() : error.toString());
            }
        }
        return truncate(said.toString());
    }

    private static void append(StringBuilder said, String text) {
        if (!text.isBlank()) {
            said.append(said.isEmpty() ? "" : "; ").append(text.strip());
        }
    }

    private static String truncate(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }

    /** A forge that echoes the credential it refused must not put it into our logs. */
    private String scrub(String text) {
        return access.token() == null ? text : text.replace(access.token(), "***");
    }

    /** A list answer; anything else (an error page behind a proxy, a changed API) is not silently an empty list. */
    JsonNode getList(String path) throws ForgeException, InterruptedException {
        JsonNode answer = get(path);
        if (!answer.isArray()) {
            throw new ForgeException(200, "GET " + URI.create(base + path).getPath() + " answered no list", "", null);
        }
        return answer;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** A member the forge documents as always there; without it the answer is not the one we asked for. */
    static String required(JsonNode node, String field) throws ForgeException {
        String value = text(node, field);
        if (value == null || value.isBlank()) {
            throw new ForgeException(200, "the forge's answer has no " + field, "", null);
        }
        return value;
    }
}
