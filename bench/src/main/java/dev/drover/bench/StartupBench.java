package dev.drover.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Start-up and memory of {@code drover serve} as users run it: through the {@code ./drover} launcher (its JVM options
 * and, when built, the AOT cache), default embedded workers, on an existing database (a restart: one unreported
 * first start creates the schema and the keys). Each start is timed from spawning the launcher until {@code /readyz}
 * answers 200; the process's CPU time is read at that moment (less sensitive to a loaded machine than wall time);
 * RSS after 10 s idle; and, on the last start only, RSS after a GET load under wrk. With and without the cache
 * ({@code DROVER_AOT=off}), alternating, so both see the same machine.
 */
final class StartupBench {
    static final Duration IDLE = Duration.ofSeconds(10);
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux: /proc/<pid>/stat counts in these

    record Start(long readyMs, long cpuMs, long idleRssMb) {}

    /** Medians over the starts of one mode; {@code loadRssMb} and {@code getsPerSecond} from the last start. */
    record Result(String mode, int starts, long readyMs, long cpuMs, long idleRssMb, long loadRssMb,
            double getsPerSecond) {}

    private final Path launcher;
    private final Path workDir;
    private final Wrk wrk;
    private final Duration loadDuration;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    StartupBench(Path launcher, Path workDir, Wrk wrk, Duration loadDuration) {
        this.launcher = launcher;
        this.workDir = workDir;
        this.wrk = wrk;
        this.loadDuration = loadDuration;
    }

    /** {@code starts} timed starts in each mode, alternating; {@code databaseArgs} select the database. */
    List<Result> measure(String label, List<String> databaseArgs, int starts) throws Exception {
        Path data = workDir.resolve(label + "-startup-data");
        try (Served first = serve(databaseArgs, data, true, label + "-first")) {
            first.awaitReady();
        }
        List<List<Start>> byMode = List.of(new ArrayList<>(), new ArrayList<>());
        double[] gets = new double[2];
        long[] loadRss = new long[2];
        for (int i = 0; i < starts; i++) {
            for (int mode = 0; mode < 2; mode++) {
                boolean aot = mode == 0;
                try (Served s = serve(databaseArgs, data, aot, label + "-" + (aot ? "aot" : "noaot") + "-" + i)) {
                    long readyMs = s.awaitReady();
                    long cpuMs = s.cpuMs();
                    Thread.sleep(IDLE); // the figure is the RSS of a node left alone for this long
                    byMode.get(mode).add(new Start(readyMs, cpuMs, s.rssMb()));
                    if (i == starts - 1) {
                        String key = Files.readString(data.resolve("admin-api-key")).strip();
                        String runId = s.createRun(key);
                        Wrk.Result r = wrk.run(label + "-startup-get", s.base() + "/api/v1/agent/runs/" + runId,
                                Duration.ofSeconds(2), loadDuration, List.of("Authorization: Bearer " + key), null);
                        gets[mode] = r.requestsPerSecond();
                        loadRss[mode] = s.rssMb();
                    }
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (int mode = 0; mode < 2; mode++) {
            List<Start> all = byMode.get(mode);
            results.add(new Result(mode == 0 ? "AOT cache" : "no cache (DROVER_AOT=off)", all.size(),
                    median(all.stream().mapToLong(Start::readyMs).toArray()),
                    median(all.stream().mapToLong(Start::cpuMs).toArray()),
                    median(all.stream().mapToLong(Start::idleRssMb).toArray()), loadRss[mode], gets[mode]));
        }
        return results;
    }

    private Served serve(List<String> databaseArgs, Path data, boolean aot, String logName) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "serve", "--port", Integer.toString(port),
                "--data-dir", data.toString()));
        command.addAll(databaseArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(logName + ".log").toFile());
        pb.environment().put("DROVER_AOT", aot ? "on" : "off");
        long started = System.nanoTime();
        return new Served(pb.start(), "http://127.0.0.1:" + port, started);
    }

    private final class Served implements AutoCloseable {
        private final Process process;
        private final String base;
        private final long started;

        Served(Process process, String base, long started) {
            this.process = process;
            this.base = base;
            this.started = started;
        }

        String base() {
            return base;
        }

        /** Milliseconds from spawning the launcher until /readyz answered 200. */
        long awaitReady() throws InterruptedException {
            long deadline = started + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("drover serve exited with " + process.exitValue() + " (see "
                            + workDir + ")");
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(10); // polling a starting process: there is nothing to wait on
            }
            throw new IllegalStateException("drover serve was not ready within 3 minutes");
        }

        /** User plus system CPU time of the server so far (the launcher execs java: one pid). */
        long cpuMs() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
        }

        long rssMb() throws IOException {
            return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
                    .findFirst().orElseThrow();
        }

        String createRun(String key) throws IOException, InterruptedException {
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/agent/runs"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"startup bench\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() / 100 != 2) {
                throw new IllegalStateException("create answered " + created.statusCode() + ": " + created.body());
            }
            return created.body().replaceAll("(?s).*\"run_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy(); // SIGTERM: the graceful stop users get
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
