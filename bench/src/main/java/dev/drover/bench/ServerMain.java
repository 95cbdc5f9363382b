package dev.drover.bench;

import dev.drover.server.DroverServer;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Bootstrap;
import dev.drover.worker.IsolationSettings;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The server under test, in a JVM of its own so the load generator never shares its heap, GC or JIT threads:
 * a real {@link DroverServer} started exactly as {@code drover serve} starts it, on a random port.
 *
 * <p>Arguments: {@code <data-dir> <admin-key> [<jdbc-url> <db-user>]}. System properties
 * {@code drover.bench.workers} (embedded worker slots, default 0: the HTTP benchmarks want no runs executed) and
 * {@code drover.bench.teamConcurrency} (default 10, the server's default) and {@code drover.bench.gitBaseUrl}. Prints {@code LISTENING <port>} once
 * it accepts requests; stops gracefully on SIGTERM.
 */
public final class ServerMain {
    static final String WORKERS = "drover.bench.workers";
    static final String TEAM_CONCURRENCY = "drover.bench.teamConcurrency";
    static final String GIT_BASE_URL = "drover.bench.gitBaseUrl";
    /** The embedded worker's isolation (container, bubblewrap, none); unset: the worker's default. */
    static final String ISOLATION = "drover.bench.isolation";
    static final String DEFAULT_IMAGE = "drover.bench.defaultImage";
    /** With {@code true}: a worker key is written to {@code <data-dir>/worker-api-key} for the claims suite's loops. */
    static final String WORKER_KEY = "drover.bench.workerKey";

    private ServerMain() {}

    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(args[0]);
        ServerConfig config = ServerConfig.embedded(dataDir).withAdminApiKey(args[1])
                .withTeamConcurrency(Integer.getInteger(TEAM_CONCURRENCY, 10));
        if (System.getProperty(GIT_BASE_URL) != null) {
            config = config.withGitBaseUrl(System.getProperty(GIT_BASE_URL));
        }
        if (args.length > 2) {
            config = config.withDatabase(args[2], args[3], null);
        }
        DroverServer server = DroverServer.start(config);
        if (Boolean.getBoolean(WORKER_KEY)) {
            Bootstrap.ensureEmbeddedWorkerKey(server.accounts(), dataDir);
        }
        int slots = Integer.getInteger(WORKERS, 0);
        Worker worker = slots <= 0 ? null : new Worker(WorkerConfig.embedded(server.apiBaseUrl(),
                Bootstrap.ensureEmbeddedWorkerKey(server.accounts(), dataDir), slots, dataDir, Map.of())
                .withIsolation(IsolationSettings.fromEnv(System.getenv()).withMode(System.getProperty(ISOLATION))
                        .withDefaultImage(System.getProperty(DEFAULT_IMAGE)))).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (worker != null) {
                worker.close();
            }
            server.close();
            stopped.countDown();
        }));
        ChildJvm.announce(server.port());
        stopped.await();
    }
}
