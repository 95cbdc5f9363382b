package dev.drover.bench;

import dev.drover.worker.Worker;
import dev.drover.worker.IsolationSettings;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * An external worker in a JVM of its own, as {@code drover worker} runs one, so the chaos suite can kill it with
 * SIGKILL. Arguments: {@code <api-url> <worker-key> <slots> <work-dir>}. Prints {@code LISTENING 0} once registered.
 */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        WorkerConfig config = new WorkerConfig(args[0], args[1], "chaos-worker", "default", Integer.parseInt(args[2]),
                Path.of(args[3]), WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(), Map.of(),
                WorkerConfig.DEFAULT_IDLE).withIsolation(IsolationSettings.fromEnv(System.getenv())
                        .withMode(System.getProperty(ServerMain.ISOLATION)));
        Worker worker = new Worker(config).start();
        ChildJvm.announce(0);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
