package dev.drover.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.forge.testing.FakeForge;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ForgeErrorsTest {
    private static final String TOKEN = "tok_supersecret_4711";

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void aServerErrorIsRetryableAndTheNextCallSucceeds(ForgeKind kind) throws Exception {
        try (FakeForge fake = FakeForge.start(kind, TOKEN).repo("acme", "app", "main")) {
            Forge forge = Forge.of(fake.access(), HttpClient.newHttpClient());
            fake.failNext(1, 500);

            assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> {
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.forgeMessage()).isEqualTo("fake failure 500");
                    });
            assertThat(forge.defaultBranch("acme", "app")).isEqualTo("main");
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void rateLimitingIsRetryableAndA404IsNot(ForgeKind kind) throws Exception {
        try (FakeForge fake = FakeForge.start(kind, TOKEN).repo("acme", "app", "main")) {
            Forge forge = Forge.of(fake.access(), HttpClient.newHttpClient());
            fake.failNext(1, 429);
            assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> assertThat(e.retryable()).isTrue());

            assertThatThrownBy(() -> forge.defaultBranch("acme", "missing"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.forgeMessage()).isNotBlank();
                    });
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void aWrongTokenIsTheForges401AndNeitherTokenIsInTheMessage(ForgeKind kind) throws Exception {
        try (FakeForge fake = FakeForge.start(kind, TOKEN).repo("acme", "app", "main")) {
            ForgeAccess wrong = new ForgeAccess(kind, fake.apiBase(), "tok_wrong_0815");
            Forge forge = Forge.of(wrong, HttpClient.newHttpClient());

            assertThatThrownBy(() -> forge.open("acme", "app", new PullRequestDraft("b", "main", "t", null, false)))
                    .isInstanceOfSatisfying(ForgeException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage() + e.forgeMessage()).doesNotContain("tok_wrong_0815", TOKEN);
                    });
            assertThat(wrong.toString()).doesNotContain("tok_wrong_0815").contains("***");
            assertThat(fake.pullRequests()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void aTokenTheForgeEchoesBackIsScrubbedFromTheMessage(ForgeKind kind) throws Exception {
        // a misbehaving proxy or forge that repeats the credential must not put it into a log line through us
        HttpServer server = serve(exchange -> {
            byte[] body = ("{\"message\":\"token " + TOKEN + " is not valid\"}").getBytes();
            exchange.sendResponseHeaders(403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        try {
            Forge forge = Forge.of(new ForgeAccess(kind, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), TOKEN),
                    HttpClient.newHttpClient());
            assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("is not valid").doesNotContain(TOKEN);
                        assertThat(e.forgeMessage()).doesNotContain(TOKEN);
                    });
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void anUnreachableForgeIsStatusZeroAndRetryable(ForgeKind kind) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Forge forge = Forge.of(new ForgeAccess(kind, URI.create("http://127.0.0.1:" + port), TOKEN), HttpClient.newHttpClient());

        assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                .isInstanceOfSatisfying(ForgeException.class, e -> {
                    assertThat(e.status()).isZero();
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).doesNotContain(TOKEN);
                });
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    @Timeout(30)
    void aForgeThatDoesNotAnswerTimesOut(ForgeKind kind) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = serve(exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        try {
            Forge forge = Forge.of(new ForgeAccess(kind, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), TOKEN),
                    HttpClient.newHttpClient(), Duration.ofMillis(300));
            long started = System.nanoTime();
            assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> assertThat(e.retryable()).isTrue());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void aRedirectIsNotFollowedSoTheTokenStaysWithTheForge(ForgeKind kind) throws Exception {
        java.util.List<String> seenElsewhere = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer elsewhere = serve(exchange -> {
            seenElsewhere.add(String.valueOf(exchange.getRequestHeaders()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        HttpServer forgeServer = serve(exchange -> {
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/x");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        try {
            ForgeAccess access = new ForgeAccess(kind, URI.create("http://127.0.0.1:" + forgeServer.getAddress().getPort()), TOKEN);
            assertThatThrownBy(() -> Forge.of(access, HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()))
                    .isInstanceOf(IllegalArgumentException.class);

            Forge forge = Forge.of(access, HttpClient.newHttpClient());
            assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> assertThat(e.status()).isEqualTo(302));
            assertThat(seenElsewhere).isEmpty();
        } finally {
            forgeServer.stop(0);
            elsewhere.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void anAnswerWithoutWhatTheForgeDocumentsIsAnErrorNotANull(ForgeKind kind) throws Exception {
        HttpServer server = serve(exchange -> {
            byte[] body = "{}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        try {
            Forge forge = Forge.of(new ForgeAccess(kind, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), TOKEN),
                    HttpClient.newHttpClient());
            assertThatThrownBy(() -> forge.defaultBranch("acme", "app")).isInstanceOf(ForgeException.class)
                    .hasMessageContaining("default_branch");
            assertThatThrownBy(() -> forge.findOpen("acme", "app", "b")).isInstanceOf(ForgeException.class)
                    .hasMessageContaining("no list");
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    @Timeout(30) // without the body deadline the read would wait for the forge forever
    void aForgeThatDripsItsAnswerTimesOutToo(ForgeKind kind) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = serve(exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("{\"default_branch\":".getBytes());
            exchange.getResponseBody().flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        try {
            Forge forge = Forge.of(new ForgeAccess(kind, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), TOKEN),
                    HttpClient.newHttpClient(), Duration.ofMillis(500));
            long started = System.nanoTime();
            assertThatThrownBy(() -> forge.defaultBranch("acme", "app"))
                    .isInstanceOfSatisfying(ForgeException.class, e -> {
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.getMessage()).contains("not complete within");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    private static HttpServer serve(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", handler);
        server.start();
        return server;
    }

    @ParameterizedTest
    @EnumSource(ForgeKind.class)
    void hostileNamesAreRefusedBeforeAnyRequestIsMade(ForgeKind kind) throws Exception {
        try (FakeForge fake = FakeForge.start(kind, TOKEN).repo("acme", "app", "main")) {
            Forge forge = Forge.of(fake.access(), HttpClient.newHttpClient());
            for (String[] name : new String[][] {{"..", "app"}, {"acme", ".."}, {"acme", "app/../../user"}, {"acme", "app?x=1"},
                    {"acme%2F..", "app"}, {"", "app"}, {"acme", "app#x"}, {"a/b", "app"}}) {
                if (kind == ForgeKind.GITLAB && name[0].equals("a/b")) {
                    continue; // a GitLab namespace may have subgroups
                }
                assertThatThrownBy(() -> forge.defaultBranch(name[0], name[1])).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> forge.comment(name[0], name[1], 1, "x")).isInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> forge.comment("acme", "app", 0, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThat(fake.requests()).isEmpty();
        }
    }
}
