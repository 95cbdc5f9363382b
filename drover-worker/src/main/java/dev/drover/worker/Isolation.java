package dev.drover.worker;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one seam through which everything an agent or a setup command starts is run. A backend opens a
 * {@link Place} per run (a container, a bubblewrap sandbox, or the bare host), launches the run's processes in
 * it, and closing the place stops everything left in it.
 */
public interface Isolation {

    /** {@code container}, {@code bubblewrap} or {@code none}. */
    String name();

    /** Opens the execution place of one run; {@link Unavailable} when this worker may not run agents. */
    Place open(Spec spec) throws IOException, Unavailable;

    /** What a run needs of its place: its id (for labels), its workspace, and its image (null: the worker's). */
    record Spec(String runId, Path workspace, String image) {}

    /** This worker cannot run agents the way it was configured; the message says how to fix it. */
    final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** Whether a backend can be used on this host, and if not why (for {@code drover doctor} and the logs). */
    record Probe(String backend, boolean available, String reason) {}
}
