package dev.drover.server.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that stands still until the test moves it; shared by every server of a test. */
public final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    public MovableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public void set(Instant instant) {
        now.set(instant);
    }

    public void advance(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }

    /**
     * Lets time pass in steps of {@code step} until {@code done} holds, for a server's periodic passes (the lease
     * sweeper runs once a second of real time) to act on the moved clock. Moving again at every poll, not once:
     * a node's first sweep grants every lease a grace period from its own "now" (RunLeases.sweep), and that pass
     * may come after the first move.
     */
    public void advanceUntil(Duration step, java.util.concurrent.Callable<Boolean> done) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    if (done.call()) {
                        return true;
                    }
                    advance(step);
                    return false;
                });
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("Drover works in UTC");
    }
}
