package dev.drover.worker;

import dev.drover.api.HeartbeatResponse;
import dev.drover.api.LeaseStatus;
import dev.drover.client.DroverWorkerClient;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one run's lease while the worker holds it, and trips its {@link Cancellation} the moment the server says
 * to stop: a user cancelled it, or the worker no longer holds it. Each heartbeat is a long-poll
 * ({@code wait} = the heartbeat interval) that the server answers early when a cancel commits, so a cancel reaches
 * the agent in well under a second instead of on the next beat — what lets a cancel stop any harness within 2 s.
 * A server that does not hold heartbeats answers at once; the watch then beats once per interval, as before.
 */
final class LeaseWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseWatch.class);

    private final DroverWorkerClient client;
    private final String workerId;
    private final String runId;
    private final Duration every;
    private final Cancellation cancellation;
    private final Thread thread;
    private volatile boolean closed;

    private LeaseWatch(DroverWorkerClient client, String workerId, String runId, Duration every, Cancellation cancellation) {
        this.client = client;
        this.workerId = workerId;
        this.runId = runId;
        this.every = every;
        this.cancellation = cancellation;
        this.thread = Thread.ofVirtual().name("drover-lease-" + runId).unstarted(this::loop);
    }

    /** Watches {@code runId} until closed, heartbeating every {@code every} at most. */
    static LeaseWatch start(DroverWorkerClient client, String workerId, String runId, Duration every,
            Cancellation cancellation) {
        LeaseWatch w = new LeaseWatch(client, workerId, runId, every, cancellation);
        w.thread.start();
        return w;
    }

    private void loop() {
        int waitSeconds = (int) Math.max(1, every.toSeconds());
        // a cancelled run is still held until its worker reports it: the lease is renewed until then (a waiting
        // heartbeat now answers at once, so the pause below paces it); a lost one has nothing left to renew
        while (!closed && cancellation.reason() != Cancellation.Reason.LEASE_LOST) {
            long next = System.nanoTime() + every.toNanos();
            try {
                HeartbeatResponse r = client.heartbeat(workerId, List.of(runId), waitSeconds);
                for (LeaseStatus s : r.leases()) {
                    if (s.lost()) {
                        cancellation.cancel(Cancellation.Reason.LEASE_LOST);
                    } else if (s.cancelRequested()) {
                        cancellation.cancel(Cancellation.Reason.CANCELLED);
                    }
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("heartbeat for run {} failed: {}", runId, e.getMessage());
            }
            // an answer that came at once (an older server, a failure) must not turn this into a busy loop
            long left = next - System.nanoTime();
            if (left > 0 && !closed) {
                try {
                    Thread.sleep(Duration.ofNanos(left)); // the heartbeat's period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops watching (the run is over, or the worker stops); a heartbeat in flight is abandoned. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
