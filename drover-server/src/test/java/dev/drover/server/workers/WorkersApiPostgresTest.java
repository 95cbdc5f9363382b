package dev.drover.server.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkersApiPostgresTest extends WorkersApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    @Override
    int nodes() {
        return 2;
    }

    /** The claim waits on its own node's event tail, which hears of the other node's commit through NOTIFY. */
    @Test
    void aLongPollingWorkerWakesForARunCreatedOnAnotherNode() throws Exception {
        ServerConfig config = backend().freshConfig().withTeamConcurrency(0);
        try (TestServer one = TestServer.start(backend(), config); TestServer two = TestServer.start(backend(), config)) {
            Api worker = one.newWorkerKey("worker-" + UUID.randomUUID());
            String w = register(worker, "default");
            CompletableFuture<Api.Reply> waiting = CompletableFuture.supplyAsync(() -> claim(worker, w, 30));
            Thread.sleep(300); // the claim is waiting on node one
            long started = System.nanoTime();
            String run = two.admin().createRun("created on node two");
            Api.Reply claimed = waiting.get(30, TimeUnit.SECONDS);
            assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
            assertThat(claimed.json().get("run").get("run_id").asText()).isEqualTo(run);
            // woken by the event, not by the end of the 30 s wait (the tail's poll is 1 s: NOTIFY is faster still)
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(5));
        }
    }
}
