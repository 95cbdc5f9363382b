package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drover worker} as a separate process, killed with SIGKILL in the middle of a run. */
class WorkerProcessIT {
    private static final Path JAR = Path.of("target/drover.jar").toAbsolutePath();

    @Test
    void aWorkerKilledMidRunLeavesTheRunInARetryableErrorOnceItsLeaseExpires(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withLeaseDuration(Duration.ofSeconds(3)))) {
            Api key = server.newWorkerKey("process-worker-" + UUID.randomUUID());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-jar", JAR.toString(), "worker", "--server", server.apiBaseUrl(),
                    "--token", key.key(), "--slots", "1", "--work-dir", dir.resolve("work").toString(), "--isolation", "none")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_"));
            Process worker = pb.start();
            Api user = server.admin();
            String marker = "drover-it-" + UUID.randomUUID();
            String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                    Map.of("type", "command", "command", "bash -c 'exec -a " + marker + " sleep 600'"))))
                    .json().get("run_id").asText();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().equals("INPROGRESS"));
                worker.destroyForcibly(); // SIGKILL: no goodbye, no report
                worker.waitFor();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().equals("ERROR"));
                JsonNode status = user.get("/agent/runs/" + run).json().get("status_message");
                assertThat(status.get("retryable").asBoolean()).isTrue();
                assertThat(status.get("message").asText()).contains("stopped responding");
            } finally {
                worker.destroyForcibly();
                new ProcessBuilder(List.of("pkill", "-f", marker)).start().waitFor();
            }
        }
    }

    @Test
    void aContainerWorkerKilledMidRunLeavesAContainerThatTheNextWorkerOfTheHostRemoves(@TempDir Path dir) throws Exception {
        com.github.dockerjava.api.DockerClient docker = dev.drover.worker.TestImage.client();
        if (docker == null) {
            assertThat("1".equals(System.getenv("DROVER_REQUIRE_CONTAINER")))
                    .as("DROVER_REQUIRE_CONTAINER=1 but no container engine answers (DOCKER_HOST)").isFalse();
            org.junit.jupiter.api.Assumptions.abort("no container engine here");
        }
        try (docker; TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withLeaseDuration(Duration.ofSeconds(3)))) {
            dev.drover.worker.TestImage.build(docker);
            Api key = server.newWorkerKey("process-worker-" + UUID.randomUUID());
            Path work = java.nio.file.Files.createDirectories(dir.resolve("work"));
            Process first = containerWorker(server, key, work, dir.resolve("first.log")).start();
            Api user = server.admin();
            String run = user.post("/agent/runs", Map.of("prompt", "p", "config", Map.of("harness",
                    Map.of("type", "command", "command", "sleep 600")))).json().get("run_id").asText();
            Process second = null;
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText().equals("INPROGRESS"));
                assertThat(dev.drover.worker.TestImage.containersOfRun(docker, run)).hasSize(1);
                first.destroyForcibly(); // SIGKILL: the container stays behind
                first.waitFor();
                assertThat(dev.drover.worker.TestImage.containersOfRun(docker, run)).hasSize(1);
                second = containerWorker(server, key, work, dir.resolve("second.log")).start();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        dev.drover.worker.TestImage.containersOfRun(docker, run).isEmpty());
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroyForcibly();
                }
            }
        }
    }

    private static ProcessBuilder containerWorker(TestServer server, Api key, Path work, Path log) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", JAR.toString(), "worker", "--server", server.apiBaseUrl(),
                "--token", key.key(), "--slots", "1", "--work-dir", work.toString(), "--isolation", "container",
                "--default-image", dev.drover.worker.TestImage.TAG)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("DROVER_"));
        return pb;
    }
}
