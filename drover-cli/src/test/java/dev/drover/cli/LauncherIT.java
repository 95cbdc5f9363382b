package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./drover} launcher as users run it, after {@code package} (which trains the AOT cache): it starts
 * {@code drover serve} with the cache when the build made one, and without it, silently, when there is none or when
 * the cache is older than the jar (a cache of another jar makes the JVM print errors on every start).
 */
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = ROOT.resolve("drover-cli/target/drover.jar");
    private static final Path AOT = ROOT.resolve("drover-cli/target/drover.aot");

    @Test
    void theLauncherStartsServeWithTheCacheTheBuildTrained(@TempDir Path dir) throws Exception {
        assertThat(AOT).as("package trains the cache (drover-cli/pom.xml)").exists();
        Started s = serve(ROOT, dir, Map.of());
        assertThat(s.javaArguments()).contains("-XX:AOTCache=" + AOT);
        assertThat(s.output()).doesNotContain("[error").doesNotContain("[warning");
    }

    @Test
    void withDroverAotOffTheLauncherStartsWithoutTheCache(@TempDir Path dir) throws Exception {
        Started s = serve(ROOT, dir, Map.of("DROVER_AOT", "off"));
        assertThat(s.javaArguments()).noneMatch(a -> a.startsWith("-XX:AOTCache"));
    }

    @Test
    void aCheckoutWithoutTheCacheStartsWithoutIt(@TempDir Path dir) throws Exception {
        Path checkout = copyOfLauncherAndJar(dir.resolve("checkout"));
        Started s = serve(checkout, dir, Map.of());
        assertThat(s.javaArguments()).noneMatch(a -> a.startsWith("-XX:AOTCache"))
                .contains("@" + checkout.resolve("drover-cli/src/main/jvm/drover.options"));
        assertThat(s.output()).doesNotContain("[error").doesNotContain("[warning");
    }

    @Test
    void aCacheOlderThanTheJarIsNotUsed(@TempDir Path dir) throws Exception {
        Path checkout = copyOfLauncherAndJar(dir.resolve("checkout"));
        Path stale = checkout.resolve("drover-cli/target/drover.aot");
        Files.copy(AOT, stale);
        // the jar was rebuilt after this cache was trained: the JVM would refuse the cache with errors on every start
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Started s = serve(checkout, dir, Map.of());
        assertThat(s.javaArguments()).noneMatch(a -> a.startsWith("-XX:AOTCache"));
        assertThat(s.output()).doesNotContain("[error").doesNotContain("shared class paths mismatch");
    }

    private record Started(List<String> javaArguments, String output) {}

    /** Runs {@code <root>/drover serve} until ready, reads the java process's arguments, then stops it (SIGTERM). */
    private static Started serve(Path root, Path dir, Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path out = Files.createTempFile(dir, "serve", ".out");
        ProcessBuilder pb = new ProcessBuilder(root.resolve("drover").toString(), "serve", "--port",
                Integer.toString(port), "--data-dir", dir.resolve("data-" + port).toString(), "--workers", "0")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process serve = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
            Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200);
            // the launcher execs java: the process is the JVM itself, with the arguments the launcher chose
            List<String> arguments = List.of(serve.info().arguments().orElseThrow());
            return new Started(arguments, Files.readString(out));
        } finally {
            serve.destroy();
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * The launcher, the JDK finder it sources, the JVM options and the built jar, copied so that the jar is the
     * newest file (the launcher rebuilds a jar older than its sources): a checkout built without the cache.
     */
    private static Path copyOfLauncherAndJar(Path checkout) throws IOException {
        for (String file : List.of("drover", ".mvn/jdk.sh", "drover-cli/src/main/jvm/drover.options")) {
            Path target = checkout.resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(ROOT.resolve(file), target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path jar = checkout.resolve("drover-cli/target/drover.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(JAR, jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        return checkout;
    }
}
