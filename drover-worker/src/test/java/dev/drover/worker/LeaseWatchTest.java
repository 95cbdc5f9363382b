package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.WorkerInfo;
import dev.drover.api.WorkerRegistration;
import dev.drover.client.DroverWorkerClient;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A run's lease watch against a real server with a short lease. */
class LeaseWatchTest {

    @Test
    void aCancelledRunKeepsItsLeaseUntilItsWorkerHasStoppedItAndReported() {
        try (TestServer server = TestServer.start(Backend.SQLITE,
                Backend.SQLITE.freshConfig().withLeaseDuration(Duration.ofSeconds(3)))) {
            Api user = server.admin();
            DroverWorkerClient client = new DroverWorkerClient(server.apiBaseUrl(), server.newWorkerKey("w-" + UUID.randomUUID()).key());
            WorkerInfo worker = client.registerWorker(new WorkerRegistration("w", "default", 1, "test-host"));
            String run = user.createRun("a slow stop");
            String execution = client.claim(worker.workerId(), 0, true).orElseThrow().executionId();
            client.reportEvent(run, execution, "run_in_progress", null);
            Cancellation cancellation = new Cancellation();
            try (LeaseWatch watch = LeaseWatch.start(client, worker.workerId(), run,
                    Duration.ofSeconds(worker.heartbeatSeconds()), cancellation)) {
                assertThat(user.post("/agent/runs/" + run + "/cancel", (String) null).status()).isEqualTo(200);
                Awaitility.await().atMost(Duration.ofSeconds(2)).until(cancellation::isCancelled);
                assertThat(cancellation.reason()).isEqualTo(Cancellation.Reason.CANCELLED);
                // a stop that takes longer than the lease (a harness that is slow to end) must not cost the run
                Awaitility.await().pollDelay(Duration.ofSeconds(5)).until(() -> true);
                assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("INPROGRESS");
            }
            client.reportEvent(run, execution, "run_cancelled", null);
            assertThat(user.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CANCELLED");
        }
    }
}
