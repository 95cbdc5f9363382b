package dev.drover.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Where one run's processes execute. Closing it stops every process still in it (and removes a container). */
public interface Place extends AutoCloseable {

    /** {@code container}, {@code bubblewrap} or {@code none}. */
    String backend();

    /** What run statuses and transcripts say about the isolation, e.g. {@code isolation: container (image x)}. */
    String describe();

    /**
     * Starts {@code command} in the workspace with exactly {@code env}; {@code stdin} (may be null) is its whole
     * input. With {@code mergeErrors} standard error goes to standard output.
     */
    Launched launch(List<String> command, Map<String, String> env, String stdin, boolean mergeErrors) throws IOException;

    /**
     * The host command line that runs {@code command} inside the place with its standard streams connected (for
     * stdio MCP servers, whose library starts the process itself), or null when this backend cannot do that.
     */
    List<String> hostCommand(List<String> command);

    /** Hands the workspace's files (clones, attachments) to the user agents run as; nothing for {@code none}. */
    void handOver() throws IOException;

    /** Whether an executable named {@code name} is found inside the place (CLIs of the CLI harnesses). */
    default boolean hasExecutable(String name) throws IOException, InterruptedException {
        return true;
    }

    @Override
    void close();

    /** A started process: the process, and how to stop it with everything it started. */
    interface Launched {
        Process process();

        boolean alive();

        /** SIGTERM, then SIGKILL after {@code grace}, to the process and everything it started. */
        void stop(Duration grace) throws InterruptedException;
    }

    /** The workspace directory of a place. */
    Path workspace();
}
