package dev.drover.server.schedules;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node looks for due schedule ticks once a second (cron's resolution is a minute, so a tick fires within
 * a second of its time). Nodes do not coordinate: {@link Schedules#fireDue()} fires each tick once however many
 * nodes call it. The first pass runs at start, which is how ticks missed while every node was down fire (once).
 */
public final class ScheduleTicker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleTicker.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Schedules schedules;
    private final Thread thread;
    private volatile boolean running = true;

    public ScheduleTicker(Schedules schedules) {
        this.schedules = schedules;
        this.thread = Thread.ofVirtual().name("drover-schedule-ticker").unstarted(this::loop);
    }

    public ScheduleTicker start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                int fired;
                do {
                    fired = schedules.fireDue();
                    if (fired > 0) {
                        LOG.info("fired {} schedule tick(s)", fired);
                    }
                } while (fired == Schedules.MAX_DUE_PER_PASS && running);
                Thread.sleep(INTERVAL); // a periodic schedule, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("schedule pass failed; retrying: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
