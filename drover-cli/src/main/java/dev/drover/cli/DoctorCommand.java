package dev.drover.cli;

import dev.drover.server.environments.GitSources;
import dev.drover.server.store.Database;
import dev.drover.worker.ProviderProbes;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drover doctor}: checks what this host's configuration needs, one line each with what to do when it
 * fails, and exits 1 when something needed is broken. Run it where {@code drover serve} or {@code drover worker}
 * runs, with the same flags and environment.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check the database, the git source, the model providers and agent isolation of this host.")
final class DoctorCommand implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Mixin
    StoreOptions store;

    @Option(names = "--git-base-url", defaultValue = "${env:DROVER_GIT_BASE_URL:-https://github.com}",
            description = "Where environments' repositories are cloned from (env DROVER_GIT_BASE_URL; default ${DEFAULT-VALUE}).")
    String gitBaseUrl;

    @Mixin
    IsolationOptions isolation = new IsolationOptions();

    /** One check's outcome: {@code ok}, {@code FAIL} (needed and broken) or {@code skip} (not configured). */
    record Line(String status, String check, String detail) {
        static Line ok(String check, String detail) {
            return new Line("ok", check, detail);
        }

        static Line fail(String check, String detail) {
            return new Line("FAIL", check, detail);
        }

        static Line skip(String check, String detail) {
            return new Line("skip", check, detail);
        }
    }

    @Override
    public Integer call() {
        ServeCommand.configureLogging("warn");
        List<Line> lines = new ArrayList<>();
        lines.add(database());
        lines.add(gitSource());
        lines.addAll(providers(System.getenv()));
        Path data = store.dataDir.toAbsolutePath().normalize();
        lines.addAll(isolation(isolation.settings(System.getenv()), List.of(data),
                data.resolveSibling(data.getFileName() + "-workspaces")));
        return print(lines, System.out);
    }

    static int print(List<Line> lines, PrintStream out) {
        int width = lines.stream().mapToInt(l -> l.check().length()).max().orElse(0);
        for (Line l : lines) {
            out.printf("%-4s  %-" + width + "s  %s%n", l.status(), l.check(), l.detail());
        }
        return lines.stream().anyMatch(l -> l.status().equals("FAIL")) ? 1 : 0;
    }

    /** The database opens, its migrations apply and it answers; a SQLite file is not created by a check. */
    Line database() {
        boolean postgres = store.databaseUrl != null && !store.databaseUrl.isBlank();
        if (!postgres && !Files.exists(store.dataDir.resolve("drover.db"))) {
            return Line.skip("database", "no SQLite database in " + store.dataDir.toAbsolutePath().normalize()
                    + " yet: `drover serve` creates it (or give --data-dir / --database-url)");
        }
        String what = postgres ? "PostgreSQL at " + store.databaseUrl.replaceAll("password=[^&]*", "password=***")
                : "SQLite in " + store.dataDir.toAbsolutePath().normalize();
        try (Database db = Database.open(new Database.Settings(store.databaseUrl, store.user(), store.password(),
                store.dataDir, 1))) {
            return db.ping() ? Line.ok("database", what + " answers; migrations are current")
                    : Line.fail("database", what + " opened but does not answer a query");
        } catch (RuntimeException e) {
            return Line.fail("database", what + ": " + rootMessage(e) + " — check --database-url, "
                    + "DROVER_DATABASE_USER/PASSWORD and that the server is up");
        }
    }

    /** The git base URL is well-formed and reachable (a directory exists; an http(s) host answers). */
    Line gitSource() {
        GitSources git;
        try {
            git = GitSources.of(gitBaseUrl);
        } catch (IllegalArgumentException e) {
            return Line.fail("git source", e.getMessage());
        }
        String base = git.base();
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            Path dir = base.startsWith("file:") ? Path.of(URI.create(base)) : Path.of(base);
            return Files.isDirectory(dir) ? Line.ok("git source", dir + " is a directory of repositories")
                    : Line.fail("git source", dir + " does not exist: create it or fix --git-base-url / DROVER_GIT_BASE_URL");
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            int status = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            return status < 500 ? Line.ok("git source", base + " answers (" + status + ")")
                    : Line.fail("git source", base + " answered " + status + ": is the git host up?");
        } catch (java.io.IOException e) {
            return Line.fail("git source", "cannot reach " + base + " (" + rootMessage(e)
                    + "): check the network, a proxy, or --git-base-url / DROVER_GIT_BASE_URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Line.fail("git source", "interrupted");
        }
    }

    /** One authenticated call to each provider the environment configures. */
    static List<Line> providers(Map<String, String> env) {
        List<ProviderProbes.Probe> probes = ProviderProbes.run(env, TIMEOUT);
        if (probes.isEmpty()) {
            return List.of(Line.skip("providers", "none configured: the oz harness needs one (OPENAI_API_KEY, "
                    + "ANTHROPIC_API_KEY, GEMINI_API_KEY or OLLAMA_HOST); command runs work without"));
        }
        return probes.stream().map(p -> p.ok() ? Line.ok("provider " + p.provider(), p.detail())
                : Line.fail("provider " + p.provider(), p.detail())).toList();
    }

    /**
     * The isolation backends as this host's embedded workers would find them (the worker's own probes): a chosen
     * backend that does not hold fails, and so does {@code auto} when neither holds (runs would be refused).
     */
    static List<Line> isolation(dev.drover.worker.IsolationSettings settings, List<Path> hidden, Path workRoot) {
        if (settings.mode().equals("none")) {
            return List.of(Line.ok("isolation", "none, chosen explicitly: agents run unconfined as this user"));
        }
        List<dev.drover.worker.Isolation.Probe> probes = dev.drover.worker.Isolations.probe(settings, hidden, workRoot);
        boolean anyHolds = probes.stream().anyMatch(dev.drover.worker.Isolation.Probe::available);
        List<Line> lines = new ArrayList<>();
        for (dev.drover.worker.Isolation.Probe p : probes) {
            String check = "isolation " + p.backend();
            boolean needed = settings.mode().equals(p.backend()) || (settings.mode().equals("auto") && !anyHolds);
            lines.add(p.available() ? Line.ok(check, p.reason())
                    : needed ? Line.fail(check, p.reason() + (settings.mode().equals("auto")
                            ? "; with neither backend runs are refused (or pass --isolation none)" : ""))
                    : Line.skip(check, p.reason()));
        }
        return lines;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
