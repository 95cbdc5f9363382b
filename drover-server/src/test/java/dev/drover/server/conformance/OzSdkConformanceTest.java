package dev.drover.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Drives the official TypeScript SDK ({@code oz-agent-sdk}, pinned in {@code conformance/oz-sdk}) against a real
 * server. Needs node and npm: without them the test is skipped, unless {@code DROVER_REQUIRE_CONFORMANCE=1}
 * (set by {@code .ci/run}), where their absence is a failure.
 */
abstract class OzSdkConformanceTest {

    abstract Backend backend();

    @Test
    void theOfficialTypeScriptSdkWorksUnmodified() throws Exception {
        Path suite = repoRoot().resolve("conformance/oz-sdk");
        boolean required = "1".equals(System.getenv("DROVER_REQUIRE_CONFORMANCE"));
        boolean haveNode = onPath("node") && onPath("npm");
        if (!haveNode) {
            assertThat(required).as("DROVER_REQUIRE_CONFORMANCE=1 but node/npm are not installed").isFalse();
            Assumptions.abort("node and npm are not installed; skipping the oz-agent-sdk conformance test");
        }
        try (TestServer server = TestServer.start(backend())) {
            ProcessBuilder pb = new ProcessBuilder("bash", suite.resolve("run.sh").toString())
                    .directory(suite.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("OZ_API_BASE_URL", server.apiBaseUrl());
            pb.environment().put("WARP_API_KEY", TestServer.ADMIN_KEY);
            Process p = pb.start();
            StringBuilder out = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[oz-sdk] " + line);
                    out.append(line).append('\n');
                }
            }
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out.toString()).isZero();
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("conformance/oz-sdk/run.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
