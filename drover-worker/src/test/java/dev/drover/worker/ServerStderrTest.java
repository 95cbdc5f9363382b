package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A stdio MCP server's standard error, as a real process writes it. */
class ServerStderrTest {

    private static void run(ServerStderr stderr, String script) throws Exception {
        Process p = new ProcessBuilder(stderr.wrap(List.of("sh", "-c", script))).start();
        assertThat(p.waitFor()).isNotNegative();
    }

    @Test
    void theLastLinesOfAServerThatExitedAreReadBackWhateverRanFirst() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            run(stderr, "for i in 1 2 3 4 5 6 7; do echo line $i >&2; done; echo ORDERS_TOKEN is not set >&2; exit 3");
            assertThat(stderr.lastWords()).isEqualTo("line 4\nline 5\nline 6\nline 7\nORDERS_TOKEN is not set");
        }
    }

    @Test
    void thePipeTheSdkReadsStaysOpenForAsLongAsTheServerLivesAndCarriesNoneOfItsLines() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            Process p = new ProcessBuilder(stderr.wrap(List.of("sh", "-c", "sleep 0.5; echo ready >&2; sleep 0.5"))).start();
            assertThat(p.getErrorStream().read()).as("the end of the pipe, with nothing on it").isEqualTo(-1);
            // the line was written half-way through the server's life: the pipe did not end when the shell let go
            assertThat(stderr.lastWords()).as("written before the pipe ended").isEqualTo("ready");
        }
    }

    @Test
    void aServerThatSaidNothingHasNoLastWords() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            run(stderr, "echo on stdout only; exit 1");
            assertThat(stderr.lastWords()).isEmpty();
        }
    }

    @Test
    void aLongLineIsCutAndBlankLinesAreSkipped() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            run(stderr, "printf 'x%.0s' $(seq 1 1000) >&2; printf '\\n\\n   \\nlast\\n' >&2");
            assertThat(stderr.lastWords()).isEqualTo("x".repeat(ServerStderr.LINE_LENGTH) + "…\nlast");
        }
    }

    @Test
    void aChattyServerHasItsFileCutBackWhileItsLastWordsSurviveTheCut() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            Path file = fileOf(stderr);
            run(stderr, "i=0; while [ $i -lt 2000 ]; do echo chatter $i >&2; i=$((i+1)); done; echo about to fail >&2");
            long before = Files.size(file);
            stderr.trimIfOver(1024);
            assertThat(Files.size(file)).as("cut back from %d bytes", before).isZero();
            assertThat(stderr.lastWords()).endsWith("chatter 1999\nabout to fail");
            // the server goes on writing at the file's new end (it was opened for appending)
            run(stderr, "echo after the cut >&2");
            assertThat(Files.size(file)).isEqualTo("after the cut\n".length());
            assertThat(stderr.lastWords()).endsWith("chatter 1999\nabout to fail\nafter the cut");
        }
    }

    @Test
    void onceUnlinkedTheServerWritesOnAndItsWordsAreStillReadAndCutWithNoFileLeftBehind() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            Path file = fileOf(stderr);
            Process p = new ProcessBuilder(stderr.wrap(List.of("sh", "-c",
                    "echo started >&2; read line; i=0; while [ $i -lt 500 ]; do echo chatter $i >&2; i=$((i+1)); done; "
                            + "echo $line >&2"))).start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stderr.lastWords().equals("started"));
            stderr.unlink(); // as McpTools does once the server answered
            assertThat(file).doesNotExist();
            p.getOutputStream().write("the last words\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            assertThat(p.waitFor()).isZero();
            assertThat(stderr.lastWords()).endsWith("chatter 499\nthe last words");
            stderr.trimIfOver(1024);
            assertThat(stderr.lastWords()).as("kept across the cut").endsWith("chatter 499\nthe last words");
            assertThat(file).doesNotExist();
        }
    }

    @Test
    void aServerThatFloodsItsStandardErrorHasTheFileCutBackWhileItRuns() throws Exception {
        try (ServerStderr stderr = new ServerStderr()) {
            Path file = fileOf(stderr);
            // 8 MiB in one go, then its last line, then it stays alive: nobody calls trimIfOver here
            Process p = new ProcessBuilder(stderr.wrap(List.of("sh", "-c",
                    "head -c 8388608 /dev/zero | tr '\\0' x >&2; echo >&2; echo still here >&2; sleep 30"))).start();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> stderr.lastWords().endsWith("still here") && Files.size(file) <= ServerStderr.CAP);
                assertThat(Files.size(file)).as("cut back by the server's own trimmer").isLessThanOrEqualTo(ServerStderr.CAP);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void theFileIsTheWorkersOwnAndGoesWithTheServer() throws Exception {
        ServerStderr stderr = new ServerStderr();
        Path file = fileOf(stderr);
        assertThat(Files.getPosixFilePermissions(file)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        stderr.close();
        assertThat(file).doesNotExist();
    }

    private static Path fileOf(ServerStderr stderr) {
        return stderr.file();
    }
}
