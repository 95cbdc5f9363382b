package dev.drover.worker;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's stop switch. The heartbeat thread trips it (a user cancelled, or the lease was lost); whatever the run
 * is doing registers what must be stopped, and is stopped at once.
 */
public final class Cancellation {
    /** Why a run is being stopped. */
    public enum Reason { CANCELLED, LEASE_LOST, SHUTDOWN }

    private final List<AgentProcess> processes = new ArrayList<>();
    private Reason reason;

    public synchronized boolean isCancelled() {
        return reason != null;
    }

    public synchronized Reason reason() {
        return reason;
    }

    /** Trips the switch; processes registered so far are stopped (off the caller's thread). */
    public void cancel(Reason why) {
        List<AgentProcess> toStop;
        synchronized (this) {
            if (reason != null) {
                return;
            }
            reason = why;
            toStop = List.copyOf(processes);
        }
        toStop.forEach(p -> Thread.ofVirtual().start(() -> {
            try {
                p.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    /** Registers a process to stop on cancel; if already cancelled it is stopped now. */
    public void register(AgentProcess p) throws InterruptedException {
        boolean stopNow;
        synchronized (this) {
            processes.add(p);
            stopNow = reason != null;
        }
        if (stopNow) {
            p.stop();
        }
    }
}
