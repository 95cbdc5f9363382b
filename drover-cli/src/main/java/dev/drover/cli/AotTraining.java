package dev.drover.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run behind the jar's AOT cache (JDK 25, JEP 483/514/515): the Maven build runs it as
 * {@code java -XX:AOTCacheOutput=drover.aot -cp drover.jar dev.drover.cli.AotTraining <dir>}, and the JVM writes into
 * the cache every class this run loaded and linked and the profiles of what it ran. So it does what a user's first
 * minute does, through the real code: {@code drover serve} with its default embedded workers, then the requests a
 * dashboard and a client make, over real HTTP. It then exits, which writes the cache. The start it trains is a
 * restart, the one nodes make every day: the build first runs {@code AotTraining --prepare <dir>} in a JVM of its own
 * (no cache written), which creates the database, its schema and the keys. A cache trained on a first start held the
 * ~420 classes of Flyway's migration run, which a restart on a current schema never loads (SchemaCheck) but which the
 * JVM would load from the cache at every start. Not a command: nobody types it, and a failure here fails the build
 * rather than producing a half-trained cache.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        boolean prepare = args.length == 2 && args[0].equals("--prepare");
        if (args.length != 1 && !prepare) {
            System.err.println("usage: AotTraining [--prepare] <scratch directory>");
            System.exit(2);
        }
        Path scratch = Path.of(args[args.length - 1]).toAbsolutePath();
        Path data = scratch.resolve("data");
        if (prepare) {
            deleteTree(scratch); // a previous build's database may hold another schema
        } else if (!Files.exists(data.resolve("admin-api-key"))) {
            throw new IllegalStateException("no database in " + data + ": run AotTraining --prepare first");
        }
        int port = freePort();
        Thread serve = Thread.ofPlatform().name("aot-training-serve").daemon().start(() -> Main.run(
                "serve", "--port", Integer.toString(port), "--data-dir", data.toString(), "--log-level", "info"));
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        awaitReady(http, base, serve);
        if (prepare) {
            System.out.println("AOT training database prepared in " + data);
            System.exit(0);
        }
        String key = Files.readString(data.resolve("admin-api-key")).strip();
        for (int round = 0; round < 20; round++) { // a few rounds so the profiles see the hot paths more than once
            get(http, base + "/healthz", null);
            get(http, base + "/readyz", null);
            get(http, base + "/api/v1/agent/models", key);
            String created = send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/agent/runs"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"AOT training run " + round + "\"}")));
            String id = created.replaceAll("(?s).*\"run_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            get(http, base + "/api/v1/agent/runs/" + id, key);
            get(http, base + "/api/v1/agent/runs?limit=10", key);
            get(http, base + "/api/v1/agent/events?run_ids=" + id, key);
            get(http, base + "/api/v1/agent/runs/does-not-exist", key);
            get(http, base + "/api/v1/openapi.json", null);
            get(http, base + "/", null);
        }
        System.out.println("AOT training done on " + base);
        System.exit(0); // runs serve's shutdown hook (the graceful stop), then the JVM writes the cache
    }

    private static void awaitReady(HttpClient http, String base, Thread serve) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!serve.isAlive()) {
                throw new IllegalStateException("drover serve ended during the AOT training run (see above)");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50); // polling a process that is starting: there is nothing to wait on
        }
        throw new IllegalStateException("drover serve was not ready within 3 minutes");
    }

    private static void get(HttpClient http, String url, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        send(http, request);
    }

    /** The body; any status is fine (a 404 is part of the training), a 5xx is a bug worth failing the build for. */
    private static String send(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 500) {
            throw new IllegalStateException(response.request().uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
