package dev.drover.bench;

import io.helidon.webserver.WebServer;
import java.util.concurrent.CountDownLatch;

/**
 * The ceiling Drover's reads are compared with: a minimal Helidon WebServer (the same version and defaults
 * Drover uses) answering {@code GET /} with a short string, in a JVM of its own started like the server's.
 */
public final class HelloServer {
    private HelloServer() {}

    public static void main(String[] args) throws InterruptedException {
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .routing(r -> r.get("/", (req, res) -> res.send("Hello World!")))
                .build()
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }));
        ChildJvm.announce(server.port());
        stopped.await();
    }
}
