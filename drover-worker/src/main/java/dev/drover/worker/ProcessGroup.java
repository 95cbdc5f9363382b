package dev.drover.worker;

import java.io.IOException;
import java.time.Duration;

/**
 * A process group, signalled as a whole (every process an agent or MCP server started) with the system's
 * {@code kill}: Java's process API reaches only single processes.
 */
record ProcessGroup(long pgid) {

    /** Whether any process of the group is still alive (children may outlive the leader). */
    boolean alive() {
        try {
            Process check = new ProcessBuilder("kill", "-0", "--", "-" + pgid).redirectErrorStream(true).start();
            check.getInputStream().readAllBytes();
            return check.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Sends {@code signal} (TERM, KILL) to every process of the group; false if it could not be sent. */
    boolean signal(String signal) throws InterruptedException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid).redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL to whatever is left after {@code grace}. */
    void stop(Duration grace) throws InterruptedException {
        if (!alive()) {
            return;
        }
        signal("TERM");
        long deadline = System.nanoTime() + grace.toNanos();
        while (alive() && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the group: the kernel offers no wait for a group we are not the parent of
        }
        if (alive()) {
            signal("KILL");
        }
    }
}
