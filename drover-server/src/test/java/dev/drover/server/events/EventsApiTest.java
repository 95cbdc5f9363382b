package dev.drover.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.RunState;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The event log over HTTP: reported lifecycle events, cancel in every state, polling, long-polling and SSE. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EventsApiTest {
    TestServer server;
    Api api;

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        api = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String localRun() {
        Api.Reply r = api.post("/agent/runs", "{\"prompt\":\"local\"}", Map.of("X-Drover-Execution-Location", "LOCAL"));
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private Api.Reply report(String runId, String type) {
        return api.post("/agent/events/" + runId, "{\"event_type\":\"" + type + "\",\"execution_id\":\"exec-1\"}");
    }

    private List<String> types(String runId) {
        List<String> out = new ArrayList<>();
        api.get("/agent/events?run_ids=" + runId).json().forEach(e -> out.add(e.get("event_type").asText()));
        return out;
    }

    @Test
    void aLocalRunIsDrivenByItsClientThroughReportedEvents() {
        String run = localRun();
        Api.Reply started = report(run, "run_in_progress");
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        long seq = started.json().get("sequence").asLong();
        assertThat(api.get("/agent/runs/" + run).json().get("started_at")).isNotNull();
        Api.Reply done = report(run, "run_succeeded");
        assertThat(done.json().get("sequence").asLong()).isGreaterThan(seq);
        assertThat(api.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(types(run)).containsExactly("run_queued", "run_in_progress", "run_succeeded");
        JsonNode last = api.get("/agent/events?run_ids=" + run + "&since=" + seq).json();
        assertThat(last).hasSize(1);
        assertThat(last.get(0).get("execution_id").asText()).isEqualTo("exec-1");
        assertThat(report(run, "run_failed").status()).as("terminal runs stay terminal").isEqualTo(409);
    }

    @Test
    void aRemoteRunsLifecycleIsNotReportedByItsUsersButByTheWorkerHoldingIt() {
        String run = api.createRun("remote");
        for (RunState state : List.of(RunState.QUEUED, RunState.PENDING, RunState.CLAIMED)) {
            if (state != RunState.QUEUED) {
                server.server().runs().advance(run, state, null);
            }
            for (String type : List.of("run_in_progress", "run_cancelled", "run_failed")) {
                Api.Reply r = report(run, type);
                assertThat(r.status()).as(state + " " + type + ": " + r).isEqualTo(403);
                assertThat(r.json().get("detail").asText()).startsWith("runId:");
            }
        }
        assertThat(types(run)).containsExactly("run_queued", "run_pending", "run_claimed");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"'{\"event_type\":\"run_exploded\"}',event_type", "'{}',event_type", "'{\"event_type\":5}',event_type",
        "'nope',body"})
    void badReportsAreProblemsNamingTheField(String body, String field) {
        Api.Reply r = api.post("/agent/events/" + localRun(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith(field + ":");
    }

    @Test
    void cancelAnswersAsTheSpecSaysInEveryState() {
        String pending = api.createRun("pending");
        server.server().runs().advance(pending, RunState.PENDING, null);
        Api.Reply r = api.post("/agent/runs/" + pending + "/cancel", (String) null);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("retryable").asBoolean()).isTrue();

        String claimed = api.createRun("claimed");
        server.server().runs().advance(claimed, RunState.PENDING, null);
        server.server().runs().advance(claimed, RunState.CLAIMED, null);
        assertThat(api.post("/agent/runs/" + claimed + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(api.get("/agent/runs/" + claimed).json().get("state").asText()).as("the worker stops it").isEqualTo("CLAIMED");
        assertThat(types(claimed)).endsWith("run_cancel_requested");
        assertThat(api.post("/agent/runs/" + claimed + "/cancel", (String) null).status()).as("asking twice is fine").isEqualTo(200);
        assertThat(types(claimed)).filteredOn("run_cancel_requested"::equals).hasSize(1);
        server.server().runs().advance(claimed, RunState.INPROGRESS, null);
        server.server().runs().advance(claimed, RunState.CANCELLED, null);
        assertThat(api.post("/agent/runs/" + claimed + "/cancel", (String) null).status()).isEqualTo(400);

        String local = localRun();
        Api.Reply l = api.post("/agent/runs/" + local + "/cancel", (String) null);
        assertThat(l.status()).isEqualTo(422);
        assertThat(l.json().get("type").asText()).endsWith("/operation_not_supported");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"|run_ids", "since=-1|since", "since=x|since", "limit=0|limit", "limit=501|limit",
        "wait=61|wait"})
    void badPollParametersAreProblemsNamingTheParameter(String query, String parameter) {
        String run = api.createRun("poll");
        String q = query == null ? "" : query;
        String path = parameter.equals("run_ids") ? "/agent/events" : "/agent/events?run_ids=" + run + "&" + q;
        Api.Reply r = api.get(path);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith(parameter + ":");
    }

    @Test
    void pollingRespectsLimitAndOrderAcrossRuns() {
        String a = localRun();
        String b = localRun();
        report(a, "run_in_progress");
        report(b, "run_in_progress");
        report(a, "run_succeeded");
        JsonNode all = api.get("/agent/events?run_ids=" + a + "&run_ids=" + b).json();
        assertThat(all).hasSize(5);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).get("sequence").asLong()).isGreaterThan(all.get(i - 1).get("sequence").asLong());
        }
        JsonNode two = api.get("/agent/events?run_ids=" + a + "," + b + "&limit=2").json();
        assertThat(two).hasSize(2);
        assertThat(two.get(1).get("sequence").asLong()).isEqualTo(all.get(1).get("sequence").asLong());
    }

    @Test
    void aLongPollReturnsTheEventThatCommitsWhileItWaits() throws Exception {
        String run = localRun();
        long head = api.get("/agent/events?run_ids=" + run).json().get(0).get("sequence").asLong();
        CompletableFuture<Api.Reply> poll = CompletableFuture.supplyAsync(
                () -> api.get("/agent/events?run_ids=" + run + "&since=" + head + "&wait=30"));
        // the poll is parked until something commits; report once it is surely waiting or already back
        report(run, "run_in_progress");
        JsonNode events = poll.get(30, TimeUnit.SECONDS).json();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("event_type").asText()).isEqualTo("run_in_progress");
    }

    @Test
    void aLongPollWithNothingNewReturnsAnEmptyListWhenItsWaitEnds() {
        String run = localRun();
        long head = api.get("/agent/events?run_ids=" + run).json().get(0).get("sequence").asLong();
        Api.Reply r = api.get("/agent/events?run_ids=" + run + "&since=" + head + "&wait=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isEmpty();
    }

    @Test
    void foreignRunsAreNotFoundForEveryEventEndpoint() {
        Api stranger = server.newTenant("events-" + UUID.randomUUID());
        String run = api.createRun("mine");
        assertThat(stranger.get("/agent/events?run_ids=" + run).status()).isEqualTo(404);
        assertThat(stranger.get("/agent/events/stream?run_ids=" + run).status()).isEqualTo(404);
        assertThat(stranger.post("/agent/events/" + run, "{\"event_type\":\"run_cancelled\"}").status()).isEqualTo(404);
        assertThat(api.get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("QUEUED");
    }

    @Test
    void aForeignLongPollIsNotFoundEvenRightAfterTheOwnersLongPollOfTheSameRun() {
        Api stranger = server.newTenant("events-" + UUID.randomUUID());
        String run = localRun();
        long head = api.get("/agent/events?run_ids=" + run).json().get(0).get("sequence").asLong();
        // the owner's long-poll makes this node remember the run's owner: the stranger must not ride on it
        assertThat(api.get("/agent/events?run_ids=" + run + "&since=" + head + "&wait=1").status()).isEqualTo(200);
        assertThat(stranger.get("/agent/events?run_ids=" + run + "&since=" + head + "&wait=1").status())
                .isEqualTo(404);
        assertThat(stranger.get("/agent/events?run_ids=" + run).status()).isEqualTo(404);
        String strangersOwn = localRunOf(stranger);
        assertThat(stranger.get("/agent/events?run_ids=" + strangersOwn + "," + run + "&wait=1").status())
                .isEqualTo(404);
    }

    private static String localRunOf(Api who) {
        Api.Reply r = who.post("/agent/runs", "{\"prompt\":\"local\"}", Map.of("X-Drover-Execution-Location", "LOCAL"));
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    @Test
    void theStreamDeliversLiveEventsAndResumesFromLastEventId() throws Exception {
        String run = localRun();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest first = HttpRequest.newBuilder(URI.create(server.apiBaseUrl() + "/agent/events/stream?run_ids=" + run))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> res = http.send(first, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String[]> received = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            received.add(nextEvent(in)); // run_queued, already in the log
            report(run, "run_in_progress");
            received.add(nextEvent(in)); // arrives live
        }
        assertThat(received.get(0)[1]).isEqualTo("run_queued");
        assertThat(received.get(1)[1]).isEqualTo("run_in_progress");
        assertThat(api.get("/agent/events?run_ids=" + run).json().get(1).get("sequence").asText()).isEqualTo(received.get(1)[0]);

        report(run, "run_succeeded"); // happens while nobody listens
        HttpRequest resume = HttpRequest.newBuilder(URI.create(server.apiBaseUrl()
                        + "/agent/events/stream?until_terminal=true&run_ids=" + run))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
                .header("Last-Event-ID", received.get(1)[0]).build();
        HttpResponse<String> rest = http.send(resume, HttpResponse.BodyHandlers.ofString());
        assertThat(rest.body()).contains("event:run_succeeded").doesNotContain("run_in_progress").doesNotContain("run_queued");
    }

    @Test
    void aStreamCarriesOnlyItsOwnRunsEventsWhileAnotherTenantsRunIsBusyAndCannotBeAddedToIt() throws Exception {
        Api stranger = server.newTenant("busy-" + UUID.randomUUID());
        String theirs = stranger.post("/agent/runs", "{\"prompt\":\"theirs\"}",
                Map.of("X-Drover-Execution-Location", "LOCAL")).json().get("run_id").asText();
        String mine = localRun();
        assertThat(api.get("/agent/events/stream?run_ids=" + mine + "," + theirs).status())
                .as("one foreign id refuses the whole stream").isEqualTo(404);
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.apiBaseUrl() + "/agent/events/stream?run_ids=" + mine))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build();
        HttpResponse<InputStream> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            assertThat(nextEvent(in)[1]).isEqualTo("run_queued");
            // the other tenant's events go through the same tail, before and after ours
            assertThat(stranger.post("/agent/events/" + theirs, "{\"event_type\":\"run_in_progress\"}").status())
                    .isEqualTo(200);
            report(mine, "run_in_progress");
            assertThat(stranger.post("/agent/events/" + theirs, "{\"event_type\":\"run_succeeded\"}").status())
                    .isEqualTo(200);
            report(mine, "run_failed");
            String[] next = nextEvent(in);
            String[] last = nextEvent(in);
            assertThat(List.of(next[1], last[1])).containsExactly("run_in_progress", "run_failed");
            assertThat(next[2]).contains(mine).doesNotContain(theirs);
            assertThat(last[2]).contains(mine).doesNotContain(theirs);
        }
    }

    /** Reads one SSE event: returns {id, event name, data}. */
    private static String[] nextEvent(BufferedReader in) throws Exception {
        String id = null;
        String name = null;
        String data = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty() && name != null) {
                return new String[] {id, name, data};
            }
            if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data = line.substring(5).trim();
            }
        }
        throw new AssertionError("stream ended");
    }

    @Test
    void theStreamUntilTerminalEndsWhenTheRunsFinish() {
        String run = localRun();
        report(run, "run_in_progress");
        report(run, "run_failed");
        Api.Reply r = api.get("/agent/events/stream?until_terminal=true&run_ids=" + run);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("event:run_queued").contains("event:run_failed");
    }

    @Test
    void aWatchedStreamUntilTerminalClosesAsSoonAsTheRunFinishesNotAtTheNextKeepAlive() throws Exception {
        String run = localRun();
        report(run, "run_in_progress");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest watch = HttpRequest.newBuilder(URI.create(server.apiBaseUrl()
                        + "/agent/events/stream?until_terminal=true&run_ids=" + run))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build();
        var body = http.sendAsync(watch, HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // the stream is open and idle, waiting on the bus
        report(run, "run_succeeded");
        // the keep-alive is 15 s: a stream that waited for it would miss this bound by far
        String events = body.get(5, TimeUnit.SECONDS).body();
        assertThat(events).contains("event:run_in_progress").contains("event:run_succeeded");
    }
}
