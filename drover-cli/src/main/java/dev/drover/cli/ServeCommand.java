package dev.drover.cli;

import ch.qos.logback.classic.Level;
import dev.drover.server.DroverServer;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Bootstrap;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover serve}: one Drover node, until SIGTERM or SIGINT, then a graceful stop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start a Drover server (embedded SQLite by default, PostgreSQL with --database-url).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "${env:DROVER_HOST:-127.0.0.1}",
            description = "Bind address (env DROVER_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:DROVER_PORT:-8080}",
            description = "Port; 0 picks a free one (env DROVER_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    StoreOptions store;

    @Option(names = "--public-url", defaultValue = "${env:DROVER_PUBLIC_URL}",
            description = "Externally visible base URL, used in session links, signed URLs and error types "
                    + "(env DROVER_PUBLIC_URL; default http://<host>:<port>).")
    String publicUrl;

    @Option(names = "--log-level", defaultValue = "${env:DROVER_LOG_LEVEL:-info}",
            description = "trace, debug, info, warn or error (env DROVER_LOG_LEVEL; default ${DEFAULT-VALUE}).")
    String logLevel;

    @picocli.CommandLine.Mixin
    IsolationOptions isolation = new IsolationOptions();

    @Option(names = "--workers", defaultValue = "${env:DROVER_WORKERS:-2}",
            description = "Embedded worker slots executing runs in this process (env DROVER_WORKERS; default "
                    + "${DEFAULT-VALUE}; 0 = none, e.g. when separate `drover worker` hosts execute runs).")
    int workers;

    @Option(names = "--models-file", defaultValue = "${env:DROVER_MODELS_FILE}",
            description = "Optional YAML/JSON file of models and prices (env DROVER_MODELS_FILE).")
    Path modelsFile;

    @Option(names = "--team-concurrency", defaultValue = "${env:DROVER_TEAM_CONCURRENCY:-10}",
            description = "Unfinished runs per team before new runs report at_capacity; 0 = no limit "
                    + "(env DROVER_TEAM_CONCURRENCY; default ${DEFAULT-VALUE}).")
    int teamConcurrency;

    @Option(names = "--git-base-url", defaultValue = "${env:DROVER_GIT_BASE_URL:-https://github.com}",
            description = "Where environments' owner/repo are cloned from: <base>/<owner>/<repo>.git; an https:// or "
                    + "file:// URL or a directory of bare repositories (env DROVER_GIT_BASE_URL; default ${DEFAULT-VALUE}). "
                    + "Workers clone over https with DROVER_GIT_TOKEN from their own environment.")
    String gitBaseUrl;

    @Option(names = "--forge", defaultValue = "${env:DROVER_FORGE}",
            description = "The forge the repositories live on, for pull requests and issue comments: github, gitlab, "
                    + "gitea, forgejo or none (env DROVER_FORGE; default github when --git-base-url is github.com, "
                    + "otherwise none).")
    String forge;

    @Option(names = "--forge-api-url", defaultValue = "${env:DROVER_FORGE_API_URL}",
            description = "The forge's REST API base (env DROVER_FORGE_API_URL; default derived from --git-base-url: "
                    + "https://api.github.com, <base>/api/v3 for GitHub Enterprise, <base>/api/v4 for GitLab, "
                    + "<base>/api/v1 for Gitea/Forgejo).")
    String forgeApiUrl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (Level.toLevel(logLevel, null) == null) {
            throw new ParameterException(spec.commandLine(),
                    "--log-level: must be trace, debug, info, warn or error, not " + logLevel);
        }
        configureLogging(logLevel);
        Logger log = LoggerFactory.getLogger("drover");
        ServerConfig config = new ServerConfig(host, port, store.dataDir, store.databaseUrl, store.user(),
                store.password(), publicUrl, System.getenv("DROVER_ADMIN_API_KEY"), modelsFile, teamConcurrency,
                System.getenv()).withGitBaseUrl(gitBaseUrl).withForge(forge, forgeApiUrl);
        DroverServer server = DroverServer.start(config);
        System.out.println("Drover is serving the API at " + server.apiBaseUrl());
        System.out.println(adminKeyWhereabouts(store.dataDir.resolve(Bootstrap.KEY_FILE)));
        // where the secrets key is, never the key: losing it loses every secret's value
        System.out.println("Secrets are encrypted with the key in " + server.secretsKeySource()
                + " (keep a copy; every node of a cluster needs the same key)");
        Worker worker = workers <= 0 ? null : new Worker(WorkerConfig.embedded(server.apiBaseUrl(),
                Bootstrap.ensureEmbeddedWorkerKey(server.accounts(), store.dataDir), workers, store.dataDir,
                System.getenv()).withIsolation(isolation.settings(System.getenv()))).start();
        if (worker != null) {
            WorkerCommand.sayIsolation(worker);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            if (worker != null) {
                worker.close();
            }
            server.close();
            stopped.countDown();
        }, "drover-shutdown"));
        stopped.await();
        return 0;
    }

    /** Said at every start (the key itself only at the first): where an operator finds the admin key. */
    static String adminKeyWhereabouts(java.nio.file.Path keyFile) {
        return java.nio.file.Files.exists(keyFile)
                ? "The admin API key is in " + keyFile.toAbsolutePath().normalize() + " (export DROVER_API_KEY=$(cat " + keyFile + "))"
                : "No admin API key file at " + keyFile.toAbsolutePath().normalize() + " (it was removed); make a key with "
                        + "`drover keys create --name NAME --user EMAIL --team TEAM`";
    }

    static void configureLogging(String level) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Level parsed = Level.toLevel(level, null);
        if (parsed == null) {
            throw new IllegalArgumentException("--log-level: unknown level " + level);
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(parsed);
    }
}
