package dev.drover.server.periodic;

import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A pass of work that every node runs on a fixed interval (lease expiry, schedule ticks), on a virtual thread of its
 * own. A pass returns how much it did; a pass that did a whole batch runs again at once. Nodes never coordinate:
 * each pass must be safe to run on several nodes together (its writes are compare-and-sets).
 */
public final class Periodic implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Periodic.class);

    private final String name;
    private final Duration interval;
    private final IntSupplier pass;
    private final int batch;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean quiet; // set before start, read by the thread it starts

    /** @param pass does one pass and returns how many items it handled (a full {@code batch} means: go on) */
    public Periodic(String name, Duration interval, int batch, IntSupplier pass) {
        this.name = name;
        this.interval = interval;
        this.pass = pass;
        this.batch = batch;
        this.thread = Thread.ofVirtual().name("drover-" + name).unstarted(this::loop);
    }

    /**
     * Logs what each pass did at debug level only: for a pass that has work nearly every time (following the event
     * log), where a line per pass would bury everything else.
     */
    public Periodic quiet() {
        quiet = true;
        return this;
    }

    public Periodic start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                int done;
                do {
                    done = pass.getAsInt();
                    if (done > 0) {
                        LOG.atLevel(quiet ? Level.DEBUG : Level.INFO).log("{}: {} done", name, done);
                    }
                } while (done >= batch && running);
            } catch (RuntimeException | Error e) {
                // an Error too: this pass must outlive one bad pass, and sleep before the next like any other
                if (running) {
                    LOG.warn("{} failed; retrying: {}", name, e.toString());
                }
            }
            try {
                Thread.sleep(interval); // a periodic schedule, not a wait for a condition
            } catch (InterruptedException e) {
                return;
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
