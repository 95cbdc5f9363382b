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
    private final List<Runnable> actions = new ArrayList<>();
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
        List<Runnable> toRun;
        synchronized (this) {
            if (reason != null) {
                return;
            }
            reason = why;
            toStop = List.copyOf(processes);
            toRun = List.copyOf(actions);
        }
        // quick, non-blocking actions (waking a waiting call, closing connections): run here, before anything else
        toRun.forEach(Runnable::run);
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

    /** Something to undo a {@link #onCancel} registration with once the call it guards is over. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs {@code action} when the switch is tripped (at once if it already was), on the tripping thread: it must
     * be quick and must not block — wake a waiter, close connections.
     */
    public Registration onCancel(Runnable action) {
        boolean now;
        synchronized (this) {
            now = reason != null;
            if (!now) {
                actions.add(action);
            }
        }
        if (now) {
            action.run();
        }
        return () -> {
            synchronized (this) {
                actions.remove(action);
            }
        };
    }
}
