package dev.drover.worker;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An input stream fed with chunks by another thread (a container exec's output frames), ended by {@link #end}.
 * Unlike {@code PipedInputStream} it does not care which threads write or whether they are still alive.
 */
final class ChunkPipe extends InputStream {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int position;
    private boolean ended;

    void write(byte[] bytes) {
        if (bytes.length > 0) {
            chunks.add(bytes.clone());
        }
    }

    void end() {
        chunks.add(END);
    }

    @Override
    public int read() throws InterruptedIOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws InterruptedIOException {
        if (len == 0) {
            return 0;
        }
        while (!ended && (current == null || position == current.length)) {
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading");
            }
            position = 0;
            if (current == END) {
                ended = true;
            }
        }
        if (ended) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }
}
