package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The worker protocol's writes go through the group commit: claims and lifecycle reports of many workers that
 * arrive while a transaction is being written share the next one. On SQLite (one writer, so one leader) that is
 * observable: every one of them queues behind a held batch, and all of them commit in the one transaction after it.
 */
class GroupedWorkerWritesTest {
    static final int WORKERS = 4;

    @Test
    void claimsAndReportsOfWorkersArrivingTogetherShareOneTransactionAndEachGetsItsOwnAnswer() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0))) {
            Api user = server.admin();
            Database db = server.server().database();
            GroupCommit group = db.groupCommit();
            List<Api> keys = new ArrayList<>();
            List<String> workers = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                Api key = server.newWorkerKey("grouped-" + i);
                Api.Reply registered = key.post("/workers", Map.of("name", "grouped-" + i, "pool", "default"));
                assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
                String worker = registered.json().get("worker_id").asText();
                // a first claim records the worker's sign of life (a plain write); the next ones only claim
                assertThat(key.post("/workers/" + worker + "/claim?wait=0", (String) null).status()).isEqualTo(204);
                keys.add(key);
                workers.add(worker);
            }
            for (int i = 0; i < WORKERS; i++) {
                user.createRun("grouped " + i);
            }

            List<Api.Reply> claims = whileHeld(db, group, i -> keys.get(i)
                    .post("/workers/" + workers.get(i) + "/claim?wait=0&accept=true", (String) null));
            Set<String> claimed = new HashSet<>();
            List<String> executions = new ArrayList<>();
            List<String> runs = new ArrayList<>();
            for (Api.Reply claim : claims) {
                assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
                runs.add(claim.json().get("run").get("run_id").asText());
                executions.add(claim.json().get("execution_id").asText());
                claimed.add(runs.getLast());
            }
            assertThat(claimed).as("each worker its own run").hasSize(WORKERS);

            List<Api.Reply> reports = whileHeld(db, group, i -> keys.get(i).post("/agent/events/" + runs.get(i),
                    Map.of("event_type", "run_in_progress", "execution_id", executions.get(i))));
            for (int i = 0; i < WORKERS; i++) {
                assertThat(reports.get(i).status()).as(reports.get(i).toString()).isEqualTo(200);
                List<Long> started = new ArrayList<>();
                user.get("/agent/events?run_ids=" + runs.get(i)).json().forEach(e -> {
                    if (e.get("event_type").asText().equals("run_in_progress")) {
                        started.add(e.get("sequence").asLong());
                    }
                });
                assertThat(started).as("the report answers its own event's sequence")
                        .containsExactly(reports.get(i).json().get("sequence").asLong());
                assertThat(user.get("/agent/runs/" + runs.get(i)).json().get("state").asText()).isEqualTo("INPROGRESS");
            }
        }
    }

    /**
     * Holds the writer in a batch of its own, sends one request per worker, waits until every one of them is queued
     * behind it, releases it, and checks that all of them were then committed by one transaction.
     */
    private static List<Api.Reply> whileHeld(Database db, GroupCommit group,
            java.util.function.IntFunction<Api.Reply> request) throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> holder = async(() -> db.writeGrouped(h -> {
            inside.countDown();
            StoreTest.await(release);
            return "held";
        }));
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        long transactions = group.transactions();
        List<CompletableFuture<Api.Reply>> sent = new ArrayList<>();
        try {
            for (int i = 0; i < WORKERS; i++) {
                int n = i;
                sent.add(async(() -> request.apply(n)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (group.waiting() < WORKERS && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(group.waiting()).as("every request queued in the group behind the held batch").isEqualTo(WORKERS);
        } finally {
            release.countDown();
        }
        assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("held");
        List<Api.Reply> replies = new ArrayList<>();
        for (CompletableFuture<Api.Reply> r : sent) {
            replies.add(r.get(30, TimeUnit.SECONDS));
        }
        assertThat(group.transactions() - transactions).as("all of them in the one transaction after it").isEqualTo(1);
        return replies;
    }

    private static <T> CompletableFuture<T> async(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, Thread.ofVirtual()::start);
    }
}
