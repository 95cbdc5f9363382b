package dev.drover.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stdio MCP server's standard error, written by the server straight into a file of the worker's and read back
 * when the server fails to start. The SDK's reader of the stream cannot be relied on for this: it stops reading at
 * the server's stdout end-of-file, and on a loaded machine that comes before it has read the line a failing server
 * wrote just before it exited.
 *
 * <p>{@link #wrap} starts the server through {@code sh}, which points the server's standard error at the file
 * and keeps the SDK's pipe open on descriptor 3 (the SDK takes that pipe's end for the end of the server). The
 * file is in the worker's temporary directory, never the workspace (where the agent could put a link to a file of
 * the worker's in its place), and is kept near {@link #CAP}: a server that writes more has the file cut back to
 * nothing (the server appends, so its writes go on at the new end), the tail before the cut kept in memory. Once
 * the server has answered, the file's name is removed ({@link #unlink}): what it says from then on lives only in the
 * open file, which goes with the server, or with the worker if that dies first.
 */
final class ServerStderr implements AutoCloseable {
    static final long CAP = 1 << 20;
    static final int LINES = 5;
    static final int LINE_LENGTH = 300;
    private static final int TAIL_BYTES = 8192;
    /** Bounds what a server writing as fast as the disk takes can pile up between two checks (~100 MB at 1 GB/s). */
    private static final Duration TRIM_EVERY = Duration.ofMillis(100);

    private final Path file;
    /** Open for as long as the server lives: read and cut through it, also once the file's name is gone. */
    private final FileChannel channel;
    private final Thread trimmer;
    private volatile byte[] beforeCut = new byte[0];

    ServerStderr() {
        try {
            file = Files.createTempFile("drover-mcp-stderr-", ".log"); // rw------- on POSIX
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        trimmer = Thread.ofVirtual().name("mcp-stderr-trim").start(this::trimWhileOpen);
    }

    /** The command that runs {@code command} (replacing the shell: same process) with its standard error here. */
    List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3>&2 2>>\"$0\"; exec \"$@\"",
                file.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    Path file() {
        return file;
    }

    /**
     * Removes the file's name once the server has opened it (it answered): the server writes on, this reads on,
     * and a worker that dies leaves nothing of what the server said behind in its temporary directory.
     */
    void unlink() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // stays until close() tries again
        }
    }

    /** The last lines the server wrote, each cut to {@link #LINE_LENGTH} characters; empty if it said nothing. */
    synchronized String lastWords() {
        byte[] tail;
        try {
            tail = tail();
        } catch (IOException e) {
            return "";
        }
        byte[] before = beforeCut;
        byte[] all = Arrays.copyOf(before, before.length + tail.length);
        System.arraycopy(tail, 0, all, before.length, tail.length);
        List<String> lines = new ArrayList<>();
        for (String line : new String(all, StandardCharsets.UTF_8).split("\n")) {
            String said = line.strip();
            if (!said.isEmpty()) {
                lines.add(said.length() > LINE_LENGTH ? said.substring(0, LINE_LENGTH) + "…" : said);
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LINES), lines.size()));
    }

    private byte[] tail() throws IOException {
        long size = channel.size();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, TAIL_BYTES));
        long at = size - buffer.capacity();
        while (buffer.hasRemaining() && channel.read(buffer, at + buffer.position()) >= 0) {
            // read until the buffer is full (the file only grows here)
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** A check on a timer: the server writes into the file without us, so nothing else tells when it grew. */
    private void trimWhileOpen() {
        try {
            while (true) {
                Thread.sleep(TRIM_EVERY);
                trimIfOver(CAP);
            }
        } catch (InterruptedException closed) {
            // closed
        }
    }

    /** Cuts the file back to nothing once it holds more than {@code cap} bytes, keeping its tail in memory. */
    synchronized void trimIfOver(long cap) {
        try {
            if (channel.size() > cap) {
                beforeCut = tail();
                channel.truncate(0);
            }
        } catch (IOException e) {
            // closed: nothing to keep small
        }
    }

    @Override
    public void close() {
        trimmer.interrupt();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written through it
        }
        unlink();
    }
}
