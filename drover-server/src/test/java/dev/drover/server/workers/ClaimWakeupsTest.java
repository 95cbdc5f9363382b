package dev.drover.server.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.RunEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Idle claimers are woken one per pool and claimable event, never all of them, and never for other events. */
class ClaimWakeupsTest {
    private static long seq;

    private static RunEvent event(String type) {
        return new RunEvent(type, "run-" + seq, null, null, Instant.now(), ++seq);
    }

    @Test
    void oneQueuedRunWakesOneOfManyIdleClaimersOfAPoolNotAllOfThem() throws Exception {
        ClaimWakeups wakeups = new ClaimWakeups();
        AtomicInteger woken = new AtomicInteger();
        List<ClaimWakeups.Waiter> waiters = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(10)) {
            List<Future<?>> waiting = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ClaimWakeups.Waiter w = wakeups.waiter("default");
                waiters.add(w);
                waiting.add(threads.submit(() -> {
                    if (w.await(Duration.ofSeconds(2))) {
                        woken.incrementAndGet();
                    }
                    return null;
                }));
            }
            wakeups.accept(List.of(event("run_queued")));
            for (Future<?> f : waiting) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        waiters.forEach(ClaimWakeups.Waiter::close);
        assertThat(woken).hasValue(1);
        assertThat(wakeups.waiting("default")).isZero();
    }

    @Test
    void eventsThatCannotMakeARunClaimableWakeNobody() throws InterruptedException {
        ClaimWakeups wakeups = new ClaimWakeups();
        try (ClaimWakeups.Waiter w = wakeups.waiter("default")) {
            wakeups.accept(List.of(event("run_pending"), event("run_claimed"), event("run_in_progress")));
            assertThat(w.await(Duration.ofMillis(200))).isFalse();
        }
    }

    @Test
    void anEventDuringAClaimAttemptIsNotLostButWaitsForTheNextWait() throws InterruptedException {
        ClaimWakeups wakeups = new ClaimWakeups();
        try (ClaimWakeups.Waiter w = wakeups.waiter("default")) {
            // the claimer is attempting (not yet waiting) when the run commits
            wakeups.accept(List.of(event("run_queued")));
            long started = System.nanoTime();
            assertThat(w.await(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void wakeUpsAreCappedAtTheNumberOfWaitersSoABurstLeavesNoPileOfStaleOnes() throws InterruptedException {
        ClaimWakeups wakeups = new ClaimWakeups();
        try (ClaimWakeups.Waiter w = wakeups.waiter("default")) {
            List<RunEvent> burst = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                burst.add(event("run_queued"));
            }
            wakeups.accept(burst);
            assertThat(w.await(Duration.ZERO)).isTrue();
            assertThat(w.await(Duration.ZERO)).as("one waiter needs one wake-up to look again").isFalse();
        }
    }

    @Test
    void everyWaitingPoolGetsAWakeUpBecauseAnEventDoesNotNameItsPool() throws InterruptedException {
        ClaimWakeups wakeups = new ClaimWakeups();
        try (ClaimWakeups.Waiter general = wakeups.waiter("default"); ClaimWakeups.Waiter gpu = wakeups.waiter("gpu")) {
            wakeups.accept(List.of(event("run_queued")));
            assertThat(general.await(Duration.ZERO)).isTrue();
            assertThat(gpu.await(Duration.ZERO)).isTrue();
        }
    }

    @Test
    void aStoppingNodeWakesEveryIdleClaimerOfEveryPoolAtOnce() throws Exception {
        ClaimWakeups wakeups = new ClaimWakeups();
        List<ClaimWakeups.Waiter> waiters = new ArrayList<>();
        AtomicInteger woken = new AtomicInteger();
        try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
            List<Future<?>> waiting = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ClaimWakeups.Waiter w = wakeups.waiter(i % 2 == 0 ? "default" : "gpu");
                waiters.add(w);
                waiting.add(threads.submit(() -> {
                    if (w.await(Duration.ofSeconds(30))) {
                        woken.incrementAndGet();
                    }
                    return null;
                }));
            }
            wakeups.wakeAll();
            for (Future<?> f : waiting) {
                f.get(10, TimeUnit.SECONDS); // long before the 30 s wait: the stop does not wait the claims out
            }
        }
        waiters.forEach(ClaimWakeups.Waiter::close);
        assertThat(woken).hasValue(6);
    }
}
