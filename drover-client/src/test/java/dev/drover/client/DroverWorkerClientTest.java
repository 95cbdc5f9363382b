package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.ArtifactUpload;
import dev.drover.api.AttachmentInput;
import dev.drover.api.ClaimedRun;
import dev.drover.api.LeaseStatus;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunState;
import dev.drover.api.RunStatusMessage;
import dev.drover.api.TranscriptAppend;
import dev.drover.api.UsageReport;
import dev.drover.api.WorkerRegistration;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The worker protocol client against a real server: a run taken from claim to its end, and the run token's reach. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DroverWorkerClientTest {
    TestServer server;
    DroverClient user;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0));
        user = new DroverClient(server.apiBaseUrl(), TestServer.ADMIN_KEY);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private DroverWorkerClient newWorker() {
        return new DroverWorkerClient(server.apiBaseUrl(), server.newWorkerKey("w-" + UUID.randomUUID()).key());
    }

    /** A run only a worker of {@code pool} claims, with one attachment. */
    private String runIn(String pool, String prompt) {
        AmbientAgentConfig config = new AmbientAgentConfig(null, null, null, null, null, null, null, null, pool, null,
                null, null);
        String data = Base64.getEncoder().encodeToString("the log".getBytes(StandardCharsets.UTF_8));
        return user.createRun(new RunAgentRequest(prompt, null, config, null, null, null, null,
                List.of(new AttachmentInput("build.log", "text/plain", data)), null, null, null)).runId();
    }

    @Test
    void aWorkerTakesARunFromClaimToSuccessWithItsTranscriptArtifactsAndUsage() {
        DroverWorkerClient worker = newWorker();
        String pool = "p-" + UUID.randomUUID().toString().substring(0, 8);
        String workerId = worker.registerWorker(new WorkerRegistration("w", pool, 1, "test-host")).workerId();
        assertThat(worker.claim(workerId, 0)).as("nothing queued in this pool").isEmpty();
        String run = runIn(pool, "through the worker client");

        ClaimedRun claimed = worker.claim(workerId, 0).orElseThrow();
        assertThat(claimed.run().runId()).isEqualTo(run);
        assertThat(claimed.run().state()).isEqualTo(RunState.PENDING);
        LeaseStatus accepted = worker.accept(workerId, run);
        assertThat(accepted.state()).isEqualTo(RunState.CLAIMED);
        String execution = claimed.executionId();
        assertThat(new String(worker.attachment(workerId, run, claimed.attachments().getFirst().position()),
                StandardCharsets.UTF_8)).isEqualTo("the log");

        worker.reportEvent(run, execution, "run_in_progress", null);
        worker.appendTranscript(workerId, run, execution, new TranscriptAppend(List.of(
                new TranscriptAppend.TranscriptMessage("assistant", List.of(Map.of("type", "text", "text", "done"))))));
        String artifact = worker.recordArtifact(workerId, run, execution,
                ArtifactUpload.pullRequest("https://git.example/acme/web/pull/3", "fix/it", "Fix it", "acme/web"));
        assertThat(artifact).isNotBlank();
        assertThat(worker.recordUsage(workerId, run, execution, new UsageReport("m", 10, 5)).budgetExceeded()).isFalse();
        assertThat(worker.heartbeat(workerId, List.of(run)).leases().getFirst().lost()).isFalse();
        worker.reportEvent(run, execution, "run_succeeded", new RunStatusMessage("all good", null, null, null));

        assertThat(user.getRun(run).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(user.conversation(run).steps().getFirst().messages()).isNotEmpty();
        assertThat(worker.heartbeat(workerId, List.of(run), 0).leases().getFirst().lost())
                .as("a finished run is released").isTrue();
    }

    @Test
    void aRunsTokenReachesItsOwnRunThroughTheApiClientAndNothingElse() {
        DroverWorkerClient worker = newWorker();
        String pool = "p-" + UUID.randomUUID().toString().substring(0, 8);
        String workerId = worker.registerWorker(new WorkerRegistration("w", pool, 1, "test-host")).workerId();
        String other = user.createRun(RunAgentRequest.ofPrompt("not this one")).runId();
        String run = runIn(pool, "as its agent");
        ClaimedRun claimed = worker.claim(workerId, 0, true).orElseThrow();

        DroverClient agent = worker.asRun(claimed.runToken());
        assertThat(agent.baseUrl()).isEqualTo(worker.baseUrl());
        assertThat(agent.getRun(run).runId()).isEqualTo(run);
        assertThatThrownBy(() -> agent.getRun(other)).isInstanceOfSatisfying(DroverApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThat(worker.api().models()).as("the worker's own key reads the catalogue").isEqualTo(user.models());
    }

    @Test
    void aReportForAnExecutionThatNoLongerHoldsTheRunIsRefusedNotRetried() {
        DroverWorkerClient worker = newWorker();
        String pool = "p-" + UUID.randomUUID().toString().substring(0, 8);
        String workerId = worker.registerWorker(new WorkerRegistration("w", pool, 1, "test-host")).workerId();
        String run = runIn(pool, "fenced");
        worker.claim(workerId, 0, true).orElseThrow();
        assertThatThrownBy(() -> worker.reportEvent(run, workerId + ":9", "run_in_progress", null))
                .isInstanceOfSatisfying(DroverApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThat(user.getRun(run).state()).isEqualTo(RunState.CLAIMED);
    }

    @Test
    void aWorkerKeyIsRequiredAndTheServerUrlIsNormalised() {
        assertThatThrownBy(() -> new DroverWorkerClient(server.apiBaseUrl(), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("API key");
        String root = server.apiBaseUrl().replaceFirst("/api/v1/?$", "");
        assertThat(new DroverWorkerClient(root + "/", "drv_x").baseUrl()).isEqualTo(root + "/api/v1");
        DroverWorkerClient userAsWorker = new DroverWorkerClient(server.apiBaseUrl(), TestServer.ADMIN_KEY);
        assertThatThrownBy(() -> userAsWorker.registerWorker(new WorkerRegistration("w", "default", 1, "h")))
                .isInstanceOfSatisfying(DroverApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }
}
