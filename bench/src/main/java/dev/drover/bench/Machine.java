package dev.drover.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the numbers were measured on. */
record Machine(String cpuModel, String nproc, String free, String jdk, String os, String wrk) {

    static Machine describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        } catch (IOException ignored) {
            // not Linux: leave it unknown
        }
        return new Machine(cpu, exec("nproc").trim(), exec("free", "-h").stripTrailing(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), Wrk.version());
    }

    /** The 1-minute load average: how busy the machine was besides (and including) the benchmark. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** CPU time (user + system) a process has used so far, from {@code /proc/<pid>/stat} (10 ms ticks), in ns. */
    static long cpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    /**
     * CPU time used so far by every live process named {@code name} (e.g. PostgreSQL's postmaster and backends), in
     * nanoseconds. A process that exits between two readings takes its share with it: read around a phase whose
     * processes live through it (a pool's connections).
     */
    static long cpuNanosOfAll(String name) throws IOException {
        long total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.equals(name)) {
                        total += cpuNanos(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited while listed
                }
            }
        }
        return total;
    }

    private static String exec(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "(" + command[0] + " unavailable)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
