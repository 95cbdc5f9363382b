package dev.drover.bench;

import java.util.Arrays;
import java.util.List;

/** A growable array of latency samples (nanoseconds) and nearest-rank percentiles over them. */
final class Samples {
    private long[] values = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    long[] toArray() {
        return Arrays.copyOf(values, size);
    }

    static long[] merge(List<long[]> parts) {
        long[] all = new long[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        Arrays.sort(all);
        return all;
    }

    /** Nearest-rank percentile of sorted {@code values}; {@code q} in (0, 1]. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
