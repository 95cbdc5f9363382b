package dev.drover.worker;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking call to the outside (a model request, an MCP tool call) that a run's cancel, lost lease or time limit
 * ends at once. Libraries block in such calls for minutes (a provider's timeout, times its retries) and do not
 * look at the run's {@link Cancellation}; so the call runs on a virtual thread of its own while the run's thread
 * waits for whichever comes first: its result, the cancel, or the deadline. When the call loses, it is cut — its
 * thread interrupted and {@code abort} run (closing its connections, so the other side sees the request dropped
 * and no retry goes out) — and the run's thread goes on without waiting for it.
 */
final class StoppableCall {
    private StoppableCall() {}

    /** Why a call was cut. */
    enum Cause { CANCELLED, TIMED_OUT }

    /** The call did not finish: the run was stopped, or its time was up. */
    static final class Stopped extends Exception {
        final Cause cause;

        Stopped(Cause cause) {
            super(cause == Cause.CANCELLED ? "the run was stopped" : "the run's time is up");
            this.cause = cause;
        }
    }

    /**
     * The call's result (or its exception, unwrapped), unless {@code cancellation} trips or {@code deadlineNanos}
     * (a {@link System#nanoTime} value) passes first.
     */
    static <T> T call(String name, Cancellation cancellation, long deadlineNanos, Callable<T> work, Runnable abort)
            throws Stopped, Exception {
        if (cancellation.isCancelled()) {
            throw new Stopped(Cause.CANCELLED);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name(name).start(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        boolean timedOut = false;
        try (Cancellation.Registration ignored = cancellation.onCancel(() -> stop.complete(null))) {
            CompletableFuture.anyOf(result, stop).get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
        } catch (ExecutionException e) {
            // the call failed: reported below from its own future
        } catch (InterruptedException e) {
            cut(thread, abort);
            throw e;
        }
        if (cancellation.isCancelled() || timedOut) {
            // a result that arrived together with the cancel is dropped too: nothing is acted upon after a stop
            cut(thread, abort);
            throw new Stopped(cancellation.isCancelled() ? Cause.CANCELLED : Cause.TIMED_OUT);
        }
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static void cut(Thread thread, Runnable abort) {
        thread.interrupt();
        abort.run();
    }
}
