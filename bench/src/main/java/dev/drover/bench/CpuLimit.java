package dev.drover.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Processes held to a share of the CPU by a cgroup of their own (v2's {@code cpu.max}, or v1's CFS quota), for
 * {@code --node-cpus}: on a machine of two cores, a Drover node limited to a fraction of a core stands for a node on
 * a machine of its own, whose CPU is the bound, while PostgreSQL and the load generator keep the rest. Needs root
 * (the cgroup file system is written) and, on cgroup v2, the cpu controller enabled for the root's children
 * ({@code +cpu} in {@code /sys/fs/cgroup/cgroup.subtree_control}; the measurements so far were on v1). Open it before
 * the process starts and close it after the process has exited: a cgroup with members cannot be removed.
 */
final class CpuLimit implements AutoCloseable {
    private static final Path V2 = Path.of("/sys/fs/cgroup");
    private static final Path V1_CPU = Path.of("/sys/fs/cgroup/cpu");
    /**
     * The quota's period, the kernel's default. In each period a limited node runs for its share and then stands still
     * until the next, and a node that stands still while its batch holds the event counter holds up every node's
     * appends: at a tenth of a core two nodes created no more than one (docs/benchmarks.md). A 10 ms period made it
     * worse (one node 149 against 261 creates/s: the JVM's own threads stall each other more often).
     */
    private static final long PERIOD_MICROS = 100_000;

    /** The group's directory; null when no limit was asked for. */
    private final Path group;
    /** {@code cpu.stat}'s counts at the last {@link #throttledShare} (or {@link #add}). */
    private long periodsBefore;
    private long throttledBefore;

    private CpuLimit(Path group) {
        this.group = group;
    }

    /** A new cgroup {@code name} limited to {@code cpus} CPUs, or no limit at all when {@code cpus} is null. */
    static CpuLimit create(Double cpus, String name) {
        if (cpus == null) {
            return new CpuLimit(null);
        }
        if (cpus <= 0) {
            throw new IllegalArgumentException("--node-cpus must be above 0, not " + cpus);
        }
        long quota = Math.round(cpus * PERIOD_MICROS);
        try {
            Path group;
            if (Files.exists(V2.resolve("cgroup.controllers"))) {
                group = Files.createDirectories(V2.resolve("drover-bench-" + name));
                Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
            } else if (Files.isDirectory(V1_CPU)) {
                group = Files.createDirectories(V1_CPU.resolve("drover-bench-" + name));
                Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
                Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            } else {
                throw new IllegalStateException("--node-cpus needs a cgroup cpu controller (v2 or v1) under " + V2);
            }
            return new CpuLimit(group);
        } catch (IOException e) {
            throw new UncheckedIOException("--node-cpus: cannot create a cgroup (root, and on cgroup v2 the cpu "
                    + "controller in /sys/fs/cgroup/cgroup.subtree_control, are needed)", e);
        }
    }

    /** Moves process {@code pid}, every thread of it, into the group. */
    void add(long pid) {
        if (group == null) {
            return;
        }
        try {
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
            throttledShare(); // from here
        } catch (IOException e) {
            throw new UncheckedIOException("--node-cpus: cannot move process " + pid + " into " + group, e);
        }
    }

    /**
     * The share of the group's scheduling periods with work to do in which its quota held it back (0 to 1), since
     * the last call (or the process was added); NaN without a limit. Near 1, the limit and not the rest of the
     * machine bounded the process.
     */
    double throttledShare() {
        if (group == null) {
            return Double.NaN;
        }
        try {
            long periods = 0;
            long throttled = 0;
            for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
                String[] kv = line.split(" ");
                if (kv[0].equals("nr_periods")) {
                    periods = Long.parseLong(kv[1]);
                } else if (kv[0].equals("nr_throttled")) {
                    throttled = Long.parseLong(kv[1]);
                }
            }
            double share = periods == periodsBefore ? 0 : (double) (throttled - throttledBefore) / (periods - periodsBefore);
            periodsBefore = periods;
            throttledBefore = throttled;
            return share;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        if (group == null) {
            return;
        }
        try {
            Files.deleteIfExists(group);
        } catch (IOException e) {
            System.err.println("could not remove " + group + ": " + e);
        }
    }
}
