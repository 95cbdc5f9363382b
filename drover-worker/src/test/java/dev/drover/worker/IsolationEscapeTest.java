package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The escapes of issue 8, each tried by a {@code command} harness run on a worker running as root, as an attacker
 * would: every one must be refused. Each command first prints {@code ATTEMPTED} (so a run that never started, say
 * because the backend was refused, fails the test instead of passing it), then prints a marker only if the escape
 * worked; the host is checked too. Subclasses pick the backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IsolationEscapeTest {
    TestServer server;
    Worker worker;
    Api user;
    Path work;
    Process secretHolder;
    final String secret = "s3cret-" + UUID.randomUUID();

    /** The settings of the worker under test; null when the backend is absent here (and not required). */
    abstract IsolationSettings settings() throws Exception;

    abstract String backend();

    @BeforeAll
    void start() throws Exception {
        IsolationSettings settings = settings();
        org.junit.jupiter.api.Assumptions.assumeTrue(settings != null, backend() + " is not available here");
        server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0));
        user = server.admin();
        Api key = server.newWorkerKey("escape-" + UUID.randomUUID());
        work = Files.createTempDirectory("drover-work-");
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "escape-" + backend(), "default", 2, work,
                Duration.ofMinutes(2), WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(server.server().config().dataDir()),
                Map.of(), Duration.ofMinutes(2)).withIsolation(settings)).start();
        assertThat(worker.isolation()).as(String.valueOf(worker.refusal())).isEqualTo(backend());
        // a host process with a secret in its environment, standing for the server, a provider's key, anything
        ProcessBuilder holder = new ProcessBuilder("sleep", "600");
        holder.environment().put("DROVER_TEST_SECRET", secret);
        secretHolder = holder.start();
    }

    @AfterAll
    void stop() {
        if (secretHolder != null) {
            secretHolder.destroyForcibly();
        }
        if (worker != null) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Runs {@code command} (which must print ATTEMPTED) to its end; the run's whole transcript and status. */
    String attempt(String command) {
        Api.Reply r = user.post("/agent/runs", Map.of("prompt", "p",
                "config", Map.of("harness", Map.of("type", "command", "command", command + "; echo ATTEMPTED"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String run = r.json().get("run_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                user.get("/agent/runs/" + run).json().get("state").asText()).isIn("SUCCEEDED", "FAILED", "ERROR"));
        JsonNode done = user.get("/agent/runs/" + run).json();
        // what the run said (never its configuration, which holds the command and so every marker)
        StringBuilder all = new StringBuilder(done.path("status_message").path("message").asText()).append('\n');
        for (JsonNode m : user.get("/agent/runs/" + run + "/conversation").json().get("steps").get(0).get("messages")) {
            for (JsonNode b : m.get("content")) {
                all.append(b.path("text").asText(b.toString())).append('\n');
            }
        }
        String said = all.toString();
        assertThat(said).as("the command must have run in the %s isolation", backend()).contains("ATTEMPTED")
                .contains("isolation: " + backend());
        return said;
    }

    @Test
    void anAgentThatUnmountsTmpCannotReadTheServersAdminKey() {
        Path data = server.server().config().dataDir().toAbsolutePath();
        assertThat(data.resolve("admin-api-key")).exists();
        String said = attempt("umount -l /tmp; umount -l " + data + "; umount -l " + data.getParent() + "; cat " + data
                + "/admin-api-key");
        assertThat(said).doesNotContain(TestServer.ADMIN_KEY);
    }

    @Test
    void anAgentThatUnmountsProcCannotReadTheServersNorAnyHostProcesssEnvironment() {
        // the server (this JVM) has the host's PATH; the agent's own is the short scrubbed one
        String serverPath = "PATH=" + System.getenv("PATH");
        assertThat(serverPath).isNotEqualTo("PATH=/usr/local/bin:/usr/bin:/bin");
        String said = attempt("umount -l /proc; cat /proc/" + secretHolder.pid() + "/environ | tr '\\0' '\\n'; cat /proc/"
                + ProcessHandle.current().pid() + "/environ | tr '\\0' '\\n' | grep ^PATH=");
        assertThat(said).doesNotContain(secret).doesNotContain(serverPath);
    }

    @Test
    void anAgentCannotReadTheEnvironmentOfAnyHostProcess() {
        String said = attempt("for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done 2>/dev/null | grep DROVER_TEST_SECRET");
        assertThat(said).doesNotContain(secret);
    }

    @Test
    void anAgentCannotTraceAHostProcess() {
        long pid = secretHolder.pid();
        String said = attempt("cat /proc/" + pid + "/maps > /dev/null 2>&1 && echo TRACED-MAPS; "
                + "dd if=/proc/" + pid + "/mem of=/dev/null bs=1 count=1 2>/dev/null && echo TRACED-MEM; "
                + "cat /proc/" + pid + "/environ 2>/dev/null | grep -c . && echo TRACED-ENV");
        assertThat(said).doesNotContain("TRACED-MAPS").doesNotContain("TRACED-MEM").doesNotContain("TRACED-ENV");
    }

    @Test
    void anAgentCannotRemountTheRootFileSystemWritableToWriteTheHostsEtc() {
        Path planted = Path.of("/etc", "drover-escaped-" + UUID.randomUUID());
        String said = attempt("mount -o remount,rw,bind / ; mount -o remount,rw / ; echo pwned > " + planted
                + " && echo WROTE-ETC");
        assertThat(said).doesNotContain("WROTE-ETC");
        assertThat(planted).doesNotExist();
    }

    @Test
    void anAgentCannotChangeTheHostsName() throws IOException {
        Path hostname = Path.of("/proc/sys/kernel/hostname");
        String before = Files.readString(hostname);
        String said = attempt("echo drover-pwned > /proc/sys/kernel/hostname && echo CHANGED-NAME; hostname drover-pwned2 && echo CHANGED-NAME");
        assertThat(said).doesNotContain("CHANGED-NAME");
        assertThat(Files.readString(hostname)).isEqualTo(before);
    }

    @Test
    void anAgentCannotRaiseItsLimits() {
        String said = attempt("ulimit -H -n $(( $(ulimit -H -n) + 1 )) && echo RAISED-NOFILE; "
                + "ulimit -H -u unlimited && echo RAISED-NPROC");
        assertThat(said).doesNotContain("RAISED-NOFILE").doesNotContain("RAISED-NPROC");
    }

    @Test
    void anAgentCannotWriteOutsideItsWorkspace() {
        String name = "drover-escaped-" + UUID.randomUUID();
        String said = attempt("touch /var/tmp/" + name + "; touch ../" + name + "; touch " + work + "/" + name
                + "; touch /" + name + " && echo WROTE-ROOT; touch inside.txt && echo WROTE-INSIDE");
        assertThat(said).contains("WROTE-INSIDE").doesNotContain("WROTE-ROOT");
        assertThat(Path.of("/var/tmp", name)).doesNotExist();
        assertThat(work.resolve(name)).doesNotExist();
        assertThat(Path.of("/", name)).doesNotExist();
    }

    @Test
    void anAgentCannotReadAnotherRunsWorkspace() {
        String otherSecret = "other-run-" + UUID.randomUUID();
        attempt("echo " + otherSecret + " > secret.txt");
        try (var runs = Files.list(work)) {
            Set<String> ids = Set.copyOf(runs.map(p -> p.getFileName().toString()).toList());
            assertThat(ids).isNotEmpty();
            StringBuilder command = new StringBuilder("ls -la " + work + " ..;");
            for (String id : ids) {
                command.append(" cat ").append(work).append('/').append(id).append("/secret.txt ../").append(id)
                        .append("/secret.txt;");
            }
            assertThat(attempt(command.toString().replaceAll(";$", ""))).doesNotContain(otherSecret);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anAgentRunsAsTheUnprivilegedAgentUserWithNoCapabilities() {
        String said = attempt("grep -E 'Cap(Eff|Prm|Bnd)' /proc/self/status; echo uid=$(id -u)");
        // the bounding set too: nothing a setuid file or an exec could raise back
        assertThat(said).containsPattern("CapEff:\\s*0000000000000000").containsPattern("CapPrm:\\s*0000000000000000")
                .containsPattern("CapBnd:\\s*0000000000000000").contains("uid=" + IsolationSettings.DEFAULT_AGENT_ID);
    }
}
