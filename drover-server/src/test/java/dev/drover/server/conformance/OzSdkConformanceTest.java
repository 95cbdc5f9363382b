package dev.drover.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Drives the official TypeScript SDK ({@code oz-agent-sdk}, pinned in {@code conformance/oz-sdk}) against a real
 * server. Needs node and npm: without them the test is skipped, unless {@code DROVER_REQUIRE_CONFORMANCE=1}
 * (set by {@code .ci/run}), where their absence is a failure.
 */
abstract class OzSdkConformanceTest {
    /** npm ci on a cold cache plus the suite; the suite alone takes well under a minute. */
    private static final long TIMEOUT_MINUTES = 5;

    abstract Backend backend();

    @Test
    void theOfficialTypeScriptSdkWorksUnmodified() throws Exception {
        Path suite = repoRoot().resolve("conformance/oz-sdk");
        boolean required = "1".equals(System.getenv("DROVER_REQUIRE_CONFORMANCE"));
        boolean haveNode = onPath("node") && onPath("npm");
        if (!haveNode) {
            assertThat(required).as("DROVER_REQUIRE_CONFORMANCE=1 but node/npm are not installed").isFalse();
            Assumptions.abort("node and npm are not on PATH; skipping the oz-agent-sdk conformance test"
                    + " (set DROVER_REQUIRE_CONFORMANCE=1 to make this a failure, as .ci/run does)");
        }
        // a repository with a skill, in an environment of the admin's team, for agent.list and skill runs
        BareRepos repos = new BareRepos(Files.createTempDirectory("drover-conformance-repos-"));
        repos.create("conformance", "skills", Map.of(".agents/skills/greet/SKILL.md",
                "---\nname: greet\ndescription: Greets whoever $ARGUMENTS names\n---\nSay hello to $ARGUMENTS.\n"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig()
                .withGitBaseUrl(repos.root().toString()))) {
            server.admin().createEnvironment(Map.of("name", "conformance", "github_repos",
                    java.util.List.of(Map.of("owner", "conformance", "repo", "skills"))));
            ProcessBuilder pb = new ProcessBuilder("bash", suite.resolve("run.sh").toString())
                    .directory(suite.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("OZ_API_BASE_URL", server.apiBaseUrl());
            pb.environment().put("WARP_API_KEY", TestServer.ADMIN_KEY);
            pb.environment().put("DROVER_CONFORMANCE_SKILL_REPO", "conformance/skills");
            Process p = pb.start();
            StringBuffer out = new StringBuffer();
            // Read on another thread so that a hung suite hits the timeout below instead of blocking the read.
            Thread reader = Thread.ofVirtual().start(() -> copyLines(p, out));
            try {
                boolean finished = p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
                if (!finished) {
                    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
                reader.join(Duration.ofSeconds(10));
                assertThat(finished).as("run.sh did not finish within " + TIMEOUT_MINUTES + " minutes:%n%s", out).isTrue();
                assertThat(p.exitValue()).as("run.sh exit code; its output:%n%s", out).isZero();
            } finally {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /** Streams the suite's output into the test log as it comes, and keeps it for the failure message. */
    private static void copyLines(Process p, StringBuffer out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("[oz-sdk] " + line);
                out.append(line).append('\n');
            }
        } catch (IOException e) {
            out.append("(output ended: ").append(e).append(")\n");
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
