package dev.drover.bench;

import dev.drover.server.DroverServer;
import dev.drover.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The server under test, in a JVM of its own so the load generator never shares its heap, GC or JIT threads:
 * a real {@link DroverServer} started exactly as {@code drover serve} starts it, on a random port.
 *
 * <p>Arguments: {@code <data-dir> <admin-key> [<jdbc-url> <db-user>]}. Prints {@code LISTENING <port>} once
 * it accepts requests; stops gracefully on SIGTERM.
 */
public final class ServerMain {
    private ServerMain() {}

    public static void main(String[] args) throws InterruptedException {
        ServerConfig config = ServerConfig.embedded(Path.of(args[0])).withAdminApiKey(args[1]);
        if (args.length > 2) {
            config = config.withDatabase(args[2], args[3], null);
        }
        DroverServer server = DroverServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        ChildJvm.announce(server.port());
        stopped.await();
    }
}
