package dev.drover.server.workers;

import dev.drover.server.runs.RunLeases;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node sweeps expired leases once a second. Nodes do not coordinate: the sweep skips rows another node is
 * sweeping and each expiry is a compare-and-set, so a lease is ended once however many nodes run.
 */
public final class LeaseSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseSweeper.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final RunLeases leases;
    private final Thread thread;
    private volatile boolean running = true;

    public LeaseSweeper(RunLeases leases) {
        this.leases = leases;
        this.thread = Thread.ofVirtual().name("drover-lease-sweeper").unstarted(this::loop);
    }

    public LeaseSweeper start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                int ended;
                do {
                    ended = leases.expire(100);
                    if (ended > 0) {
                        LOG.info("ended {} expired lease(s)", ended);
                    }
                } while (ended == 100 && running);
                Thread.sleep(INTERVAL); // a periodic schedule, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("lease sweep failed; retrying: {}", e.toString());
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
