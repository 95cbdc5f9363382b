package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built jar as users run it: serve in one process, the CLI in others, then SIGTERM. */
class ServeProcessIT {
    private static final Path JAR = Path.of("target/drover.jar").toAbsolutePath();

    @Test
    void theJarServesCreatesAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        Process serve = java(List.of("serve", "--port", Integer.toString(port), "--data-dir", data.toString()), Map.of())
                .redirectOutput(dir.resolve("serve.out").toFile())
                .redirectError(dir.resolve("serve.err").toFile())
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
            Path keyFile = data.resolve("admin-api-key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            String key = Files.readString(keyFile).strip();
            assertThat(Files.readString(dir.resolve("serve.out"))).contains(key);

            // a second server on the same port says why it cannot start, in one line, and exits non-zero
            Process clash = java(List.of("serve", "--port", Integer.toString(port), "--data-dir",
                    dir.resolve("other").toString(), "--workers", "0"), Map.of()).start();
            assertThat(clash.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String clashErr = new String(clash.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(clash.exitValue()).as(clashErr).isEqualTo(1);
            assertThat(clashErr).contains("cannot listen on 127.0.0.1:" + port).doesNotContain("Exception");

            Map<String, String> env = Map.of("DROVER_URL", "http://127.0.0.1:" + port + "/api/v1", "DROVER_API_KEY", key);
            String created = run(List.of("run", "hello from a process", "--json"), env);
            JsonNode reply = Json.mapper().readTree(created);
            String runId = reply.get("run_id").asText();
            assertThat(reply.get("state").asText()).isEqualTo("QUEUED");
            JsonNode run = Json.mapper().readTree(run(List.of("runs", "get", runId, "--json"), env));
            assertThat(run.get("source").asText()).isEqualTo("CLI");
            assertThat(run.get("prompt").asText()).isEqualTo("hello from a process");
            assertThat(run(List.of("runs", "list"), env)).contains(runId);
            // exit codes: 1 when the server refuses (its problem detail on stderr), 2 for a usage error
            Process unknown = java(List.of("runs", "get", "00000000-0000-0000-0000-000000000000"), env).start();
            assertThat(unknown.waitFor()).isEqualTo(1);
            assertThat(new String(unknown.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("runId:");
            Process keyless = java(List.of("runs", "list", "--server", env.get("DROVER_URL")), Map.of()).start();
            assertThat(keyless.waitFor()).isEqualTo(2);
            assertThat(new String(keyless.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("DROVER_API_KEY");

            // the embedded worker slots execute runs: --follow streams the run to its end and exits 0 on success
            String followed = run(List.of("run", "ping", "--harness", "command", "--command", "read p; echo \"pong to $p\"",
                    "--follow"), env);
            assertThat(followed).contains("[user] ping").contains("[assistant] pong to ping").contains("run_pending").contains("run_in_progress").contains("run_succeeded")
                    .contains("SUCCEEDED: The command exited with status 0: pong to ping")
                    .doesNotContain("transcript_appended"); // its lines stand in its place
            // one timeline in the log's order: the agent's answer was appended before the run succeeded
            assertThat(followed.indexOf("[assistant] pong to ping")).isLessThan(followed.indexOf("run_succeeded"));
            assertThat(followed.indexOf("run_in_progress")).isLessThan(followed.indexOf("[assistant] pong to ping"));
            String pongRun = followed.lines().filter(l -> l.matches("[0-9a-f-]{36} QUEUED.*")).findFirst().orElseThrow()
                    .substring(0, 36);
            assertThat(run(List.of("runs", "transcript", pongRun), env)).contains("[user] ping").contains("[assistant] pong to ping");
            // --follow prints the transcript as the agent writes it, not only once the run has ended
            Process live = java(List.of("run", "slow", "--harness", "command", "--command",
                    "echo first line; sleep 8; echo second line", "--follow"), env).redirectErrorStream(true).start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(live.getInputStream(), StandardCharsets.UTF_8))) {
                String liveRun = out.readLine().substring(0, 36);
                for (String line; (line = out.readLine()) != null && !line.equals("[assistant] first line"); ) {
                    assertThat(line).doesNotContain("second line");
                }
                assertThat(run(List.of("runs", "get", liveRun), env)).contains("INPROGRESS");
                assertThat(out.lines().toList()).contains("[assistant] second line").last().asString().startsWith("SUCCEEDED");
            }
            assertThat(live.waitFor()).isZero();
            Process failing = java(List.of("run", "x", "--harness", "command", "--command", "exit 4", "--follow"), env)
                    .redirectErrorStream(true).start();
            String failed = new String(failing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(failing.waitFor()).as(failed).isEqualTo(1);
            assertThat(failed).contains("FAILED: The command exited with status 4");
        } finally {
            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(serve.exitValue()).isIn(0, 143); // 143: the JVM's status after SIGTERM once its hooks have run
        String log = Files.readString(dir.resolve("serve.err"));
        assertThat(log).contains("shutting down").doesNotContain("Exception")
                .doesNotContain(Files.readString(data.resolve("admin-api-key")).strip()); // secrets go to stdout once, never to the log
        // the store was closed: SQLite folds and removes its write-ahead log when the last connection closes
        assertThat(data.resolve("drover.db")).exists();
        assertThat(data.resolve("drover.db-wal")).doesNotExist();

        // a later start does not print the key again, but says where it is
        Process again = java(List.of("serve", "--port", "0", "--data-dir", data.toString(), "--workers", "0"), Map.of())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("Drover is serving the API at http://127.0.0.1:");
            assertThat(out.readLine()).isEqualTo("The admin API key is in " + data.resolve("admin-api-key")
                    + " (export DROVER_API_KEY=$(cat " + data.resolve("admin-api-key") + "))");
            // where the secrets key is (never the key itself)
            assertThat(out.readLine()).isEqualTo("Secrets are encrypted with the key in " + data.resolve("secrets.key")
                    + " (keep a copy; every node of a cluster needs the same key)");
            // and a one-time dashboard link for the admin, which signs in once
            String dashboard = out.readLine();
            assertThat(dashboard).matches("Dashboard: http://127\\.0\\.0\\.1:[0-9]+/sign-in#[A-Za-z0-9_-]{43} .*");
            String link = dashboard.substring("Dashboard: ".length(), dashboard.indexOf(' ', "Dashboard: ".length()));
            String origin = link.substring(0, link.indexOf("/sign-in"));
            HttpRequest signIn = HttpRequest.newBuilder(URI.create(origin + "/web/sign-in"))
                    .header("Content-Type", "application/json").header("Origin", origin)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + link.substring(link.indexOf('#') + 1) + "\"}"))
                    .build();
            HttpClient web = HttpClient.newHttpClient();
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    web.send(HttpRequest.newBuilder(URI.create(origin + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            HttpResponse<String> session = web.send(signIn, HttpResponse.BodyHandlers.ofString());
            assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
            assertThat(session.headers().firstValue("set-cookie").orElseThrow()).contains("HttpOnly");
            assertThat(web.send(signIn, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        } finally {
            again.destroy();
            assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void withNeitherAContainerEngineNorBubblewrapTheJarServesAndEveryRunSaysHowToIsolateAgents(@TempDir Path dir)
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path emptyPath = Files.createDirectories(dir.resolve("bin")); // no bwrap on this PATH
        ProcessBuilder pb = java(List.of("serve", "--port", Integer.toString(port), "--data-dir",
                dir.resolve("data").toString()), Map.of("PATH", emptyPath.toString()));
        pb.environment().remove("DROVER_ISOLATION"); // the default, as for a newcomer
        pb.environment().remove("DOCKER_HOST");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/var/run/docker.sock")),
                "a Docker engine answers on this machine");
        Process serve = pb.redirectOutput(dir.resolve("serve.out").toFile()).redirectError(dir.resolve("serve.err").toFile())
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    Files.readString(dir.resolve("serve.err")).contains("Agents will not run"));
            assertThat(Files.readString(dir.resolve("serve.err"))).contains("apt-get install bubblewrap")
                    .contains("--isolation none");
            String key = Files.readString(dir.resolve("data").resolve("admin-api-key")).strip();
            Map<String, String> env = Map.of("DROVER_URL", "http://127.0.0.1:" + port + "/api/v1", "DROVER_API_KEY", key);
            Process follow = java(List.of("run", "x", "--harness", "command", "--command", "true", "--follow"), env)
                    .redirectErrorStream(true).start();
            String followed = new String(follow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(follow.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(followed).contains("FAILED").contains("refuses to run agents").contains("--isolation none");
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static ProcessBuilder java(List<String> args, Map<String, String> env) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", JAR.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_") || k.equals("WARP_API_KEY") || k.equals("OZ_API_BASE_URL"));
        pb.environment().put("DROVER_ISOLATION", "none"); // this test is about serving; isolation has its own tests
        pb.environment().putAll(env);
        return pb;
    }

    private static String run(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        Process p = java(args, env).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
