package dev.drover.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.store.Database;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.HandleCallback;
import org.junit.jupiter.api.Test;

/**
 * A node whose database pool has no connection free (every one held by a long transaction) answers 503
 * {@code resource_unavailable} with {@code Retry-After} and {@code x-should-retry: true} once Hikari's connection
 * timeout passes — an overloaded node the SDKs retry, not a 500 "bug" — and serves again as soon as a connection is
 * free. The pool is really exhausted: a small one (DROVER_DB_POOL_SIZE=1, a 300 ms timeout) whose every connection
 * a transaction of the test holds open.
 */
abstract class PoolExhaustionTest {
    abstract Backend backend();

    @Test
    void requestsThatFindNoFreeConnectionAre503WithRetryAfterAndAreServedAgainOnceOneIsFree() throws Exception {
        var config = backend().freshConfig().withTeamConcurrency(0)
                .withEnv(Map.of("DROVER_DB_POOL_SIZE", "1", "DROVER_DB_CONNECTION_TIMEOUT_MS", "300"));
        try (TestServer server = TestServer.start(backend(), config)) {
            Api admin = server.admin();
            String body = "{\"prompt\":\"p\",\"config\":{\"worker_host\":\"nobody\"}}";
            String run = admin.createRun(Map.of("prompt", "p", "config", Map.of("worker_host", "nobody")));
            Api stranger = server.newTenant("pool-" + System.nanoTime()); // its key is not cached yet: auth reads it
            Database db = server.server().database();
            try (Held held = Held.everyConnection(db)) {
                assertThat(held.count()).as("the test holds the whole pool").isGreaterThan(0);
                assertUnavailable(admin.get("/agent/runs/" + run));
                assertUnavailable(admin.post("/agent/runs", body));
                assertUnavailable(stranger.get("/agent/runs"));
            }
            assertThat(admin.get("/agent/runs/" + run).status()).isEqualTo(200);
            assertThat(admin.post("/agent/runs", body).status()).isEqualTo(200);
            assertThat(stranger.get("/agent/runs").status()).isEqualTo(200);
        }
    }

    private static void assertUnavailable(Api.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.header("retry-after")).isEqualTo("1");
        assertThat(r.header("x-should-retry")).isEqualTo("true");
        assertThat(r.json().get("type").asText()).endsWith("/resource_unavailable");
        assertThat(r.json().get("retryable").asBoolean()).isTrue();
        assertThat(r.json().get("detail").asText()).startsWith("database: ");
    }

    /** Transactions held open on their own threads until closed, one per connection the pools would give. */
    static final class Held implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);
        private final List<Thread> holders = new ArrayList<>();

        /**
         * Takes connections for the readers and the writer until the pools give no more: three refusals in a row (a
         * pass of the node's own, which borrows one for a moment, must not make a free connection look taken).
         */
        static Held everyConnection(Database db) throws InterruptedException {
            Held held = new Held();
            held.takeAll(db::read);
            held.takeAll(db::write);
            return held;
        }

        private void takeAll(Consumer<HandleCallback<Object, RuntimeException>> transaction)
                throws InterruptedException {
            int refused = 0;
            while (refused < 3) {
                CountDownLatch got = new CountDownLatch(1);
                boolean[] failed = {false};
                Thread t = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        transaction.accept(h -> {
                            h.createQuery("SELECT 1").mapTo(Integer.class).one();
                            got.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return null;
                        });
                    } catch (RuntimeException e) { // no connection within the pool's timeout
                        failed[0] = true;
                        got.countDown();
                    }
                });
                assertThat(got.await(10, TimeUnit.SECONDS)).as("a connection or a refusal").isTrue();
                if (failed[0]) {
                    refused++;
                } else {
                    refused = 0;
                    holders.add(t);
                }
            }
        }

        int count() {
            return holders.size();
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            for (Thread t : holders) {
                t.join(10_000);
            }
        }
    }
}
