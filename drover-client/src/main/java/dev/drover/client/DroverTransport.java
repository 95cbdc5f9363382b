package dev.drover.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.Json;
import dev.drover.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP underneath {@link DroverClient} (the Oz API) and {@link DroverWorkerClient} (the worker protocol): one
 * server, one bearer key, JSON in and out, an error answer as a {@link DroverApiException} carrying the problem,
 * and the one retry rule — a call its caller marks safe to repeat is retried on connection failures (including a
 * connection lost before the answer arrived), 429 and 5xx, three attempts in all; any other call is sent once.
 */
public final class DroverTransport {
    static final int ATTEMPTS = 3;

    private final HttpClient http;
    private final String base;
    private final String key;
    private final Map<String, String> extraHeaders;
    private final ObjectMapper json = Json.mapper();

    /** @param extraHeaders sent with every request (the CLI sends {@code X-Drover-Source: CLI}) */
    public DroverTransport(String baseUrl, String apiKey, Map<String, String> extraHeaders) {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), baseUrl, apiKey, extraHeaders);
    }

    private DroverTransport(HttpClient http, String baseUrl, String apiKey, Map<String, String> extraHeaders) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("server URL is required (DROVER_URL, e.g. http://127.0.0.1:8080/api/v1)");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("API key is required (DROVER_API_KEY)");
        }
        this.http = http;
        this.base = normalise(baseUrl);
        this.key = apiKey;
        this.extraHeaders = Map.copyOf(extraHeaders);
    }

    /** The same server, connections and headers with another key (a worker acting with a run's token). */
    public DroverTransport withKey(String apiKey) {
        return new DroverTransport(http, base, apiKey, extraHeaders);
    }

    /** The first of {@code names} set (not blank) in {@code env}, or null. */
    public static String firstOf(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** Accepts {@code http://host:port} as well as {@code http://host:port/api/v1}. */
    static String normalise(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return u.endsWith("/api/v1") ? u : u + "/api/v1";
    }

    public String baseUrl() {
        return base;
    }

    JavaType type(Class<?> c) {
        return json.getTypeFactory().constructType(c);
    }

    JavaType type(TypeReference<?> ref) {
        return json.getTypeFactory().constructType(ref);
    }

    ObjectMapper json() {
        return json;
    }

    /** A path segment, percent-encoded (a space as %20, never +). */
    static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Sends one JSON call and reads its answer as {@code type} (null for 204). {@code retry}: whether repeating it
     * is safe — a read, or a write made idempotent by its headers or its nature.
     */
    <T> T send(String method, String path, Object body, Map<String, String> headers, boolean retry, JavaType type) {
        byte[] payload;
        try {
            payload = body == null ? null : json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialise request", e);
        }
        HttpRequest.Builder b = request(path)
                .timeout(Duration.ofSeconds(90))
                .header("Accept", "application/json")
                .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(payload));
        if (payload != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        HttpRequest request = b.build();
        List<Exception> failures = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                boolean transientStatus = r.statusCode() == 429 || r.statusCode() >= 500;
                if (transientStatus && retry && attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                if (r.statusCode() >= 400) {
                    throw new DroverApiException(r.statusCode(), problem(r.statusCode(), r.body()));
                }
                return r.statusCode() == 204 ? null : json.readValue(r.body(), type);
            } catch (IOException e) {
                // Refused, timed out, or the connection dropped before the answer arrived: the request may or may
                // not have been processed, which is safe to repeat only for reads and for idempotent writes (same
                // Idempotency-Key, so the server answers with what it already did).
                failures.add(e);
                if (!retry || attempt >= ATTEMPTS) {
                    String what = e instanceof ConnectException || e instanceof HttpTimeoutException
                            ? "cannot reach " : "I/O error talking to ";
                    IllegalStateException down = new IllegalStateException(what + base + ": " + e);
                    failures.forEach(down::addSuppressed);
                    throw down;
                }
                backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** A GET whose answer is bytes, not JSON (an attachment, a patch); sent once. {@code what} names it in errors. */
    byte[] bytes(String path, String accept, String what) {
        HttpRequest request = request(path).header("Accept", accept).timeout(Duration.ofMinutes(2)).GET().build();
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 400) {
                throw new DroverApiException(r.statusCode(), problem(r.statusCode(), r.body()));
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Opens a streamed GET (Server-Sent Events); the caller reads and closes the body. An error answer is thrown as
     * a {@link DroverApiException}; a connection failure as the IOException, for the caller to reconnect.
     */
    InputStream open(String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).GET();
        headers.forEach(b::header);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() >= 400) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readAllBytes();
            }
            throw new DroverApiException(r.statusCode(), problem(r.statusCode(), body));
        }
        return r.body();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key);
        extraHeaders.forEach(b::header);
        return b;
    }

    private Problem problem(int status, byte[] body) {
        try {
            return json.readValue(body, Problem.class);
        } catch (IOException e) {
            String text = new String(body, StandardCharsets.UTF_8);
            return new Problem(null, "HTTP " + status, status, text, null, text, null, null);
        }
    }

    /** Waits before a retry: 200 ms, then 400 ms, ... (a retry loop's back-off, not a wait for a condition). */
    static void backoff(int attempt) {
        try {
            Thread.sleep(200L * (1L << (attempt - 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
