package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The whole control plane goes away for 30 seconds while an external worker's run finishes: the worker keeps the
 * agent's output and its outcome, retries until a server answers again on the same port and database, and the run
 * ends SUCCEEDED with its whole transcript — not ERROR because its lease ran out by the wall clock meanwhile.
 */
abstract class WorkerOutageTest {
    static final Duration OUTAGE = Duration.ofSeconds(30);

    abstract Backend backend();

    @Test
    void aRunThatFinishesWhileTheServerIsDownIsRecordedSucceededWithItsWholeTranscriptAfterARestart()
            throws Exception {
        ServerConfig config = backend().freshConfig().withTeamConcurrency(0);
        TestServer first = TestServer.start(backend(), config);
        ServerConfig samePort = config.withPort(first.server().port());
        String key = first.newWorkerKey("outage-" + UUID.randomUUID()).key();
        Path work = Files.createTempDirectory("drover-outage-");
        Worker worker = new Worker(new WorkerConfig(first.apiBaseUrl(), key, "outage", "default", 1, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                List.of(first.server().config().dataDir()), Map.of(), Duration.ofSeconds(2))
                // an outage, not isolation, is under test: without this the run needs bubblewrap or a container
                // engine on the machine that runs the tests, and the README's ./mvnw verify needs only a JDK 25
                .withIsolation(IsolationSettings.of("none"))).start();
        String firstUrl = first.apiBaseUrl();
        TestServer second = null;
        boolean firstUp = true;
        try {
            Api user = first.admin();
            String run = user.post("/agent/runs", Map.of("prompt", "outlive the outage", "config", Map.of("harness",
                    Map.of("type", "command", "command",
                            "echo before the outage; sleep 4; echo during the outage; sleep 4; echo the end"))))
                    .json().get("run_id").asText();
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> transcript(user, run).contains("before the outage"));

            firstUp = false;
            first.close(); // the command goes on: it prints twice more and exits while nobody listens
            Thread.sleep(OUTAGE); // the outage itself, not a wait for a condition
            second = TestServer.start(backend(), samePort);
            Api after = second.admin();
            assertThat(second.apiBaseUrl()).as("the worker knows one address").isEqualTo(firstUrl);

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    after.get("/agent/runs/" + run).json().get("state").asText().matches("SUCCEEDED|FAILED|ERROR"));
            JsonNode done = after.get("/agent/runs/" + run).json();
            assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
            String text = transcript(after, run);
            for (String line : List.of("outlive the outage", "before the outage", "during the outage", "the end")) {
                assertThat(text.split(java.util.regex.Pattern.quote(line), -1)).as(line + " once in " + text).hasSize(2);
            }
            List<String> types = new ArrayList<>();
            after.get("/agent/events?run_ids=" + run).json().forEach(e -> types.add(e.get("event_type").asText()));
            assertThat(types).doesNotContain("run_errored", "run_requeued").endsWith("run_succeeded");
        } finally {
            worker.close();
            if (firstUp) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
        }
    }

    private static String transcript(Api api, String run) {
        StringBuilder all = new StringBuilder();
        Api.Reply conversation = api.get("/agent/runs/" + run + "/conversation");
        if (conversation.status() == 404) {
            return ""; // no transcript yet (the spec's 404)
        }
        conversation.json().get("steps").forEach(step ->
                step.get("messages").forEach(m -> m.get("content").forEach(b -> all.append(b.path("text").asText())
                        .append('\n'))));
        return all.toString();
    }
}
