package dev.drover.bench;

import dev.drover.server.DroverServer;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Bootstrap;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A process of the chaos test ({@link Chaos}), killed with SIGKILL at random moments:
 * <ul>
 *   <li>{@code server <data-dir> <port> <admin-key> <lease-seconds> [<jdbc-url> <db-user>]}: a Drover server on a
 *   fixed port (a restart must answer where the worker already looks), no embedded workers; it writes the
 *   worker key file into the data directory;</li>
 *   <li>{@code worker <api-url> <worker-key> <work-dir> <slots>}: an external worker, as {@code drover worker}
 *   runs it.</li>
 * </ul>
 * Prints {@code LISTENING <port>} once ready (see {@link ChildJvm}).
 */
public final class ChaosNode {
    private ChaosNode() {}

    public static void main(String[] args) throws InterruptedException {
        CountDownLatch forever = new CountDownLatch(1);
        if (args[0].equals("server")) {
            Path dataDir = Path.of(args[1]);
            ServerConfig config = ServerConfig.embedded(dataDir).withPort(Integer.parseInt(args[2]))
                    .withAdminApiKey(args[3]).withLeaseDuration(Duration.ofSeconds(Integer.parseInt(args[4])))
                    .withTeamConcurrency(0);
            if (args.length > 5) {
                config = config.withDatabase(args[5], args[6], null);
            }
            DroverServer server = DroverServer.start(config);
            Bootstrap.ensureEmbeddedWorkerKey(server.accounts(), dataDir);
            ChildJvm.announce(server.port());
        } else {
            Worker worker = new Worker(new WorkerConfig(args[1], args[2], "chaos", "default",
                    Integer.parseInt(args[4]), Path.of(args[3]), WorkerConfig.DEFAULT_RUN_TIMEOUT,
                    WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(), Map.of(), Duration.ofSeconds(5))).start();
            ChildJvm.announce(0);
            Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
        }
        forever.await(); // until killed
    }
}
