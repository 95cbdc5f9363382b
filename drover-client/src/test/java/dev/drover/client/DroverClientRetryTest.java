package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.SendMessageRequest;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Retries against a real server behind a small HTTP proxy that injects the network's faults: an answer lost after
 * the server acted, or a 503 from something in front of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DroverClientRetryTest {
    enum Fault { LOSE_ANSWER, REFUSE_503 }

    TestServer server;
    HttpServer proxy;
    final HttpClient upstream = HttpClient.newHttpClient();
    /** Faults for the next POSTs, in order; an empty queue forwards. */
    final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    /** The Idempotency-Key of every POST the proxy received ("-" when absent). */
    final List<String> postKeys = new CopyOnWriteArrayList<>();
    DroverClient direct;
    DroverClient proxied;

    @BeforeAll
    void start() throws IOException {
        server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0));
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", this::forward);
        proxy.start();
        direct = new DroverClient(server.apiBaseUrl(), TestServer.ADMIN_KEY);
        proxied = new DroverClient("http://127.0.0.1:" + proxy.getAddress().getPort() + "/api/v1", TestServer.ADMIN_KEY);
    }

    @AfterAll
    void stop() {
        proxy.stop(0);
        server.close();
    }

    @BeforeEach
    void reset() {
        faults.clear();
        postKeys.clear();
    }

    private void forward(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Fault fault = null;
        if (ex.getRequestMethod().equals("POST")) {
            postKeys.add(ex.getRequestHeaders().getFirst("Idempotency-Key") == null ? "-"
                    : ex.getRequestHeaders().getFirst("Idempotency-Key"));
            fault = faults.poll();
        }
        if (fault == Fault.REFUSE_503) {
            byte[] problem = "{\"status\":503,\"title\":\"Service Unavailable\",\"detail\":\"proxy: upstream busy\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/problem+json");
            ex.sendResponseHeaders(503, problem.length);
            ex.getResponseBody().write(problem);
            ex.close();
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.apiBaseUrl().replaceFirst("/api/v1/?$", "")
                        + ex.getRequestURI()))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : List.of("Authorization", "Content-Type", "Accept", "Idempotency-Key")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (fault == Fault.LOSE_ANSWER) {
            // the server has acted; an exception here makes the proxy close the connection without an answer
            throw new UncheckedIOException(new IOException("answer lost on purpose"));
        }
        r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
        ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
        ex.getResponseBody().write(r.body());
        ex.close();
    }

    private static RunAgentRequest named(String name) {
        return new RunAgentRequest("retried", null, new AmbientAgentConfig(name, null, null, null, null, null, null,
                null, null, null, null), null, null, null, null, null, null, null, null);
    }

    @Test
    void aCreateWhoseAnswerIsLostIsRetriedWithTheSameKeyAndMakesOneRun() {
        String name = UUID.randomUUID().toString();
        faults.add(Fault.LOSE_ANSWER);
        String runId = proxied.createRun(named(name)).runId();

        assertThat(postKeys).hasSize(2).doesNotContain("-");
        assertThat(postKeys.get(1)).isEqualTo(postKeys.get(0));
        assertThat(direct.runs(RunQuery.all().name(name)).toList()).singleElement()
                .satisfies(r -> assertThat(r.runId()).isEqualTo(runId));
    }

    @Test
    void aCreateRefusedWith503IsRetriedWithTheSameKey() {
        String name = UUID.randomUUID().toString();
        faults.add(Fault.REFUSE_503);
        faults.add(Fault.REFUSE_503);
        String runId = proxied.createRun(named(name)).runId();

        assertThat(postKeys).hasSize(3).containsOnly(postKeys.getFirst());
        assertThat(direct.runs(RunQuery.all().name(name)).toList()).singleElement()
                .satisfies(r -> assertThat(r.runId()).isEqualTo(runId));
    }

    @Test
    void aCreateStillRefusedAfterItsAttemptsSurfacesTheProblem() {
        faults.add(Fault.REFUSE_503);
        faults.add(Fault.REFUSE_503);
        faults.add(Fault.REFUSE_503);
        assertThatThrownBy(() -> proxied.createRun(named(UUID.randomUUID().toString())))
                .isInstanceOfSatisfying(DroverApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.problem().detail()).isEqualTo("proxy: upstream busy");
                });
        assertThat(postKeys).hasSize(3);
    }

    @Test
    void aMessageWhoseAnswerIsLostIsNotSentTwice() {
        String a = direct.createRun(RunAgentRequest.ofPrompt("a")).runId();
        String b = direct.createRun(RunAgentRequest.ofPrompt("b")).runId();
        faults.add(Fault.LOSE_ANSWER);
        assertThatThrownBy(() -> proxied.sendMessage(new SendMessageRequest(List.of(b), "once", "body", a)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("I/O error");

        assertThat(postKeys).containsExactly("-");
        assertThat(direct.inbox(b, false)).singleElement().satisfies(h -> assertThat(h.subject()).isEqualTo("once"));
    }
}
