package dev.drover.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code wrk --latency} and reads its report: requests per second, p50/p99 and anything that failed. */
final class Wrk {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: (.*)");

    /** One measurement; latencies in milliseconds. */
    record Result(double requestsPerSecond, long requests, double p50, double p99, long non2xx, String socketErrors) {
        boolean clean() {
            return non2xx == 0 && socketErrors == null;
        }
    }

    private final int threads;
    private final int connections;
    private final Path workDir;

    Wrk(int threads, int connections, Path workDir) {
        this.threads = threads;
        this.connections = connections;
        this.workDir = workDir;
    }

    static String version() {
        try {
            Process p = new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("wrk").replaceAll("\\s+Copyright.*", "").trim();
        } catch (IOException e) {
            throw new IllegalStateException("wrk is not installed (bench/run.sh installs it with apt-get)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "wrk";
        }
    }

    /** A Lua script that turns every request into a POST of {@code jsonBody}. */
    Path postScript(String name, String jsonBody) {
        String lua = """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                wrk.body = [==[%s]==]
                """.formatted(jsonBody);
        Path script = workDir.resolve(name + ".lua");
        try {
            Files.writeString(script, lua);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return script;
    }

    /**
     * Loads {@code url} for {@code warmup} (not reported: the JIT compiles the hot paths), then for
     * {@code duration}, and returns the second run. The raw output is kept in the work directory.
     */
    Result run(String label, String url, Duration warmup, Duration duration, List<String> headers, Path script) {
        if (!warmup.isZero()) {
            exec(label + "-warmup", url, warmup, headers, script);
        }
        String out = exec(label, url, duration, headers, script);
        Matcher rps = RPS.matcher(out);
        Matcher requests = REQUESTS.matcher(out);
        if (!rps.find() || !requests.find()) {
            throw new IllegalStateException("cannot read wrk's report for " + label + ":\n" + out);
        }
        Matcher non2xx = NON_2XX.matcher(out);
        Matcher socket = SOCKET_ERRORS.matcher(out);
        return new Result(Double.parseDouble(rps.group(1)), Long.parseLong(requests.group(1)),
                percentile(out, "50%"), percentile(out, "99%"),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socket.find() ? socket.group(1).trim() : null);
    }

    private String exec(String label, String url, Duration duration, List<String> headers, Path script) {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections,
                "-d" + duration.toSeconds() + "s", "--timeout", "10s", "--latency"));
        for (String h : headers) {
            command.add("-H");
            command.add(h);
        }
        if (script != null) {
            command.add("-s");
            command.add(script.toString());
        }
        command.add(url);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("wrk failed for " + label + ":\n" + out);
            }
            Files.writeString(workDir.resolve("wrk-" + label + ".txt"), String.join(" ", command) + "\n\n" + out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A line of wrk's latency distribution, e.g. {@code 99%    3.21ms}, in milliseconds. */
    private static double percentile(String out, String which) {
        Matcher m = Pattern.compile("^\\s*" + Pattern.quote(which) + "\\s+([\\d.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE)
                .matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + which + " latency in wrk's report:\n" + out);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            default -> v * 60_000;
        };
    }
}
