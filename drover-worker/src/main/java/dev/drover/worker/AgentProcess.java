package dev.drover.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One agent process and everything it starts, launched in the run's {@link Place} (its container or sandbox; on
 * the host in a session and process group of its own), with exactly the environment it is given (nothing inherited
 * from the worker), a wall-clock limit and an output cap. Stopping it stops everything it started: SIGTERM, a
 * grace period, then SIGKILL, so a cancelled run leaves no process behind even when the agent started children.
 *
 * <p>Its output is either captured (standard output and error together, up to the cap: {@link #start}) or
 * streamed (standard output left to the caller to read as it comes, the tail of standard error kept:
 * {@link #streaming}), for agents whose output is a machine-readable stream.
 */
public final class AgentProcess implements AutoCloseable {
    static final Duration GRACE = Duration.ofMillis(1500);

    /** How much of a streamed process's standard error is kept: its end, which says why it failed. */
    static final int ERROR_TAIL_BYTES = 16 * 1024;

    private final Place.Launched launched;
    private final Process process;
    private final CappedSink output;
    private final TailSink errors;
    private final Thread pump;

    /** Agent output kept up to {@code cap} bytes; {@link #dropped()} counts the rest. */
    static final class CappedSink {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final long cap;
        private long dropped;

        CappedSink(long cap) {
            this.cap = cap;
        }

        synchronized void write(byte[] b, int n) {
            int room = (int) Math.max(0, Math.min(n, cap - kept.size()));
            kept.write(b, 0, room);
            dropped += n - room;
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }

        /** Output kept since the previous call, cut at the last complete line so no character is split. */
        synchronized String takeNewLines() {
            byte[] all = kept.toByteArray();
            int end = all.length;
            while (end > taken && all[end - 1] != '\n') {
                end--;
            }
            if (end <= taken) {
                return "";
            }
            String out = new String(all, taken, end - taken, StandardCharsets.UTF_8);
            taken = end;
            return out;
        }

        /** Whatever is left after the last {@link #takeNewLines}, once the process has ended. */
        synchronized String takeRest() {
            byte[] all = kept.toByteArray();
            String out = new String(all, taken, all.length - taken, StandardCharsets.UTF_8);
            taken = all.length;
            return out;
        }

        private int taken;

        synchronized long dropped() {
            return dropped;
        }
    }

    /** The last bytes written to a stream; what came before is dropped. */
    static final class TailSink {
        private final int keep;
        private byte[] kept = new byte[0];

        TailSink(int keep) {
            this.keep = keep;
        }

        synchronized void write(byte[] b, int n) {
            int total = Math.min(keep, kept.length + n);
            byte[] next = new byte[total];
            int fromOld = total - Math.min(n, total);
            System.arraycopy(kept, kept.length - fromOld, next, 0, fromOld);
            System.arraycopy(b, n - (total - fromOld), next, fromOld, total - fromOld);
            kept = next;
        }

        synchronized String text() {
            return new String(kept, StandardCharsets.UTF_8);
        }
    }

    private AgentProcess(Place.Launched launched, CappedSink output, TailSink errors) {
        this.launched = launched;
        this.process = launched.process();
        this.output = output;
        this.errors = errors;
        this.pump = output != null
                ? Thread.ofVirtual().name("agent-output").start(() -> pump(process.getInputStream(), output::write))
                : Thread.ofVirtual().name("agent-errors").start(() -> pump(process.getErrorStream(), errors::write));
    }

    /**
     * Starts {@code command} in {@code dir} with exactly {@code env}; {@code stdin} is written and closed. Its
     * standard output and error are captured together, up to {@code outputCap} bytes.
     */
    public static AgentProcess start(List<String> command, Path dir, Map<String, String> env, String stdin, long outputCap,
            Place place) throws IOException {
        return new AgentProcess(place.launch(command, env, stdin, true), new CappedSink(outputCap), null);
    }

    /**
     * Starts {@code command} like {@link #start}, but leaves its standard output to the caller ({@link #stdout()},
     * read it as it comes or the agent blocks) and keeps the tail of its standard error ({@link #errorTail()}).
     * {@code stdin} is written from another thread, so an agent that writes before it reads cannot deadlock.
     */
    public static AgentProcess streaming(List<String> command, Path dir, Map<String, String> env, String stdin,
            Place place) throws IOException {
        return new AgentProcess(place.launch(command, env, stdin, false), null, new TailSink(ERROR_TAIL_BYTES));
    }

    private interface Chunks {
        void write(byte[] b, int n);
    }

    private static void pump(InputStream stream, Chunks sink) {
        byte[] buf = new byte[8192];
        try (InputStream in = stream) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sink.write(buf, n);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** A streamed process's standard output, to read as it comes. */
    public InputStream stdout() {
        if (output != null) {
            throw new IllegalStateException("this process's output is captured; start it with streaming()");
        }
        return process.getInputStream();
    }

    /** The end of a streamed process's standard error, once it has ended (waits briefly for the last bytes). */
    public String errorTail() throws InterruptedException {
        pump.join(Duration.ofSeconds(2));
        return errors == null ? "" : errors.text();
    }

    /** Waits for exit up to {@code timeout}; true if it exited. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitCode() {
        return process.exitValue();
    }

    public String output() throws InterruptedException {
        pump.join(Duration.ofSeconds(5));
        return output.text();
    }

    /** New complete lines of output since the last call. */
    public String newOutput() {
        return output.takeNewLines();
    }

    /** The output not yet taken, after the process ended. */
    public String remainingOutput() throws InterruptedException {
        pump.join(Duration.ofSeconds(5));
        return output.takeRest();
    }

    public long droppedBytes() {
        return output.dropped();
    }

    /** Stops the process and everything it started: SIGTERM, then SIGKILL after the grace period. */
    public void stop() throws InterruptedException {
        launched.stop(GRACE);
    }

    /** Whether the process or anything it started is still alive (children may outlive the leader). */
    boolean groupAlive() {
        return launched.alive();
    }

    @Override
    public void close() throws InterruptedException {
        if (launched.alive()) {
            stop();
        }
    }
}
