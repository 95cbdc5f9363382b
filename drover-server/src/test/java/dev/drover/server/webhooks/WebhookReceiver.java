package dev.drover.server.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.drover.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver for tests: the JDK's HTTP server on loopback. Each path answers the statuses it was told, in
 * order, then 200 (or its default), and keeps every request it got.
 */
final class WebhookReceiver implements AutoCloseable {
    /** One request as the receiver saw it, and what it answered. */
    record Received(String path, String id, String timestamp, String signature, String body, int answered) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Verifies the signature the way a receiver following Standard Webhooks does, with the secret it was given. */
        boolean signedWith(String secret) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())),
                        "HmacSHA256"));
                byte[] expected = ("v1," + Base64.getEncoder().encodeToString(mac.doFinal(
                        (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8))))
                        .getBytes(StandardCharsets.UTF_8);
                for (String candidate : signature.split(" ")) {
                    if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8))) {
                        return true;
                    }
                }
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final HttpServer http;
    private final Map<String, Deque<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Integer> defaults = new ConcurrentHashMap<>();
    private final List<Received> received = new ArrayList<>();

    WebhookReceiver() {
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            synchronized (this) {
                Deque<Integer> script = scripts.get(path);
                status = script != null && !script.isEmpty() ? script.poll() : defaults.getOrDefault(path, 200);
                received.add(new Received(path, exchange.getRequestHeaders().getFirst("webhook-id"),
                        exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                        exchange.getRequestHeaders().getFirst("webhook-signature"), body, status));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
    }

    /** The URL of {@code path} on this receiver. */
    String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    /** {@code path} answers these statuses first, then its default. */
    synchronized WebhookReceiver answer(String path, Integer... statuses) {
        scripts.put(path, new ArrayDeque<>(List.of(statuses)));
        return this;
    }

    /** What {@code path} answers once its script is used up. */
    WebhookReceiver answerAlways(String path, int status) {
        defaults.put(path, status);
        return this;
    }

    synchronized List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
