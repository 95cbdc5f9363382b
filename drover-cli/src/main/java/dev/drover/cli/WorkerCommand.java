package dev.drover.cli;

import dev.drover.client.DroverClient;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover worker}: executes runs for a server, on any host that can reach it. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run worker slots that claim and execute runs from a Drover server (see docs/workers.md).")
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--server", description = "API base URL (env DROVER_URL; default http://127.0.0.1:8080/api/v1).")
    String server;

    @Option(names = "--token", description = "A worker key: drover keys create --worker ... (env DROVER_API_KEY).")
    String token;

    @Option(names = "--slots", defaultValue = "${env:DROVER_WORKER_SLOTS:-2}",
            description = "Runs executed at once (env DROVER_WORKER_SLOTS; default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--pool", defaultValue = "${env:DROVER_WORKER_POOL:-default}",
            description = "Pool to take runs from; runs choose one with config.worker_host (env DROVER_WORKER_POOL; default ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--name", description = "Name shown in GET /workers (default: the host name).")
    String name;

    @Option(names = "--work-dir", defaultValue = "${env:DROVER_WORK_DIR:-./work}",
            description = "Where run workspaces are created (env DROVER_WORK_DIR; default ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--hide", description = "A directory agents must not see, e.g. a server's data directory on "
            + "the same host (repeatable; needs bwrap).")
    List<Path> hide = List.of();

    @picocli.CommandLine.Mixin
    IsolationOptions isolation = new IsolationOptions();

    @Option(names = "--log-level", defaultValue = "${env:DROVER_LOG_LEVEL:-info}", description = "Log level (default ${DEFAULT-VALUE}).")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        ServeCommand.configureLogging(logLevel);
        Map<String, String> env = System.getenv();
        String url = server != null ? server : DroverClient.firstOf(env, "DROVER_URL", "OZ_API_BASE_URL");
        String key = token != null ? token : DroverClient.firstOf(env, "DROVER_API_KEY", "WARP_API_KEY");
        if (key == null) {
            throw new IllegalArgumentException("--token: a worker key is required (drover keys create --worker ...)");
        }
        String workerName = name != null ? name : java.net.InetAddress.getLocalHost().getHostName();
        Worker worker = new Worker(new WorkerConfig(url != null ? url : "http://127.0.0.1:8080/api/v1", key, workerName,
                pool, slots, workDir.toAbsolutePath(), WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                hide, System.getenv(), WorkerConfig.MAX_IDLE).withIsolation(isolation.settings(System.getenv()))).start();
        System.out.println("worker " + worker.workerId() + " is taking runs from pool " + pool);
        sayIsolation(worker);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "drover-worker-shutdown"));
        stopped.await();
        return 0;
    }

    /** One line on how agents are isolated; when they cannot be, what to do about it. */
    static void sayIsolation(Worker worker) {
        if (worker.refusal() != null) {
            System.err.println("Agents will not run: " + worker.refusal());
        } else if (worker.isolation().equals("none")) {
            System.err.println("WARNING: --isolation none: agents run unconfined on this host as this process's user");
        } else {
            System.out.println("agents run with isolation " + worker.isolation());
        }
    }
}
