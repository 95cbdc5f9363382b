package dev.drover.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.ServerConfig;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import dev.drover.server.webhooks.WebhookReceiver.Received;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Outbound webhooks over HTTP against a receiver in the test: signed deliveries of a run's events, retries with the
 * same id, nothing lost across a restart, auto-disable, refused targets, tenancy and bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebhooksApiTest {
    private static final AtomicInteger TENANTS = new AtomicInteger();
    /** Fast retries for tests; loopback receivers allowed. */
    static final Map<String, String> FAST = Map.of(
            "DROVER_WEBHOOK_ALLOW_PRIVATE", "true",
            "DROVER_WEBHOOK_TIMEOUT_MS", "2000",
            "DROVER_WEBHOOK_RETRY_BASE_MS", "100",
            "DROVER_WEBHOOK_RETRY_MAX_MS", "300",
            "DROVER_WEBHOOK_MAX_ATTEMPTS", "20",
            "DROVER_WEBHOOK_DISABLE_AFTER", "3",
            "DROVER_WEBHOOK_INTERVAL_MS", "100");

    TestServer server;
    ServerConfig config;
    WebhookReceiver receiver;

    abstract Backend backend();

    @BeforeAll
    void start() {
        config = backend().freshConfig().withTeamConcurrency(0).withEnv(FAST);
        server = TestServer.start(backend(), config);
        receiver = new WebhookReceiver();
    }

    @AfterAll
    void stop() {
        server.close();
        receiver.close();
    }

    /** A user alone in a team of its own: its runs and webhooks are nobody else's. */
    private static Api tenant(TestServer on) {
        return on.newTenant("webhooks-" + TENANTS.incrementAndGet());
    }

    private static String localRun(Api api) {
        Api.Reply r = api.post("/agent/runs", "{\"prompt\":\"local\"}", Map.of("X-Drover-Execution-Location", "LOCAL"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private static void report(Api api, String runId, String type) {
        Api.Reply r = api.post("/agent/events/" + runId, "{\"event_type\":\"" + type + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static JsonNode subscribe(Api api, String url, String... types) {
        Api.Reply r = api.post("/webhooks", Map.of("url", url, "event_types", List.of(types)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static List<Received> successful(List<Received> all) {
        return all.stream().filter(r -> r.answered() == 200).toList();
    }

    /** Lets the passes run a few more times, so a test can say that nothing more arrived. */
    private static void quietFor(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aRunDrivenThroughItsStatesIsDeliveredOncePerSubscribedEventTypeSignedWithTheSecretGivenAtCreation() {
        Api api = tenant(server);
        JsonNode hook = subscribe(api, receiver.url("/lifecycle"), "run_queued", "run_in_progress", "run_succeeded");
        String secret = hook.get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(api.get("/webhooks/" + hook.get("id").asText()).json().has("secret"))
                .as("the secret is shown once").isFalse();

        String run = localRun(api);
        report(api, run, "run_in_progress");
        report(api, run, "run_succeeded");

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received("/lifecycle").size() >= 3);
        quietFor(Duration.ofMillis(800));
        List<Received> got = receiver.received("/lifecycle");
        assertThat(got).hasSize(3);
        assertThat(got).allSatisfy(r -> {
            assertThat(r.signedWith(secret)).as("signature of " + r).isTrue();
            assertThat(Long.parseLong(r.timestamp())).isCloseTo(System.currentTimeMillis() / 1000,
                    org.assertj.core.data.Offset.offset(60L));
            assertThat(r.json().at("/data/run/run_id").asText()).isEqualTo(run);
            assertThat(r.json().at("/data/event/run_id").asText()).isEqualTo(run);
            assertThat(r.json().get("type").asText()).isEqualTo(r.json().at("/data/event/event_type").asText());
            assertThat(r.json().get("timestamp").asText()).isNotEmpty();
        });
        assertThat(got.stream().map(r -> r.json().get("type").asText()))
                .containsExactlyInAnyOrder("run_queued", "run_in_progress", "run_succeeded");
        assertThat(got.stream().map(Received::id).collect(Collectors.toSet())).hasSize(3);
        assertThat(got.stream().map(Received::signature).filter(s -> !s.startsWith("v1,")).toList()).isEmpty();

        String deliveries = "/webhooks/" + hook.get("id").asText() + "/deliveries";
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(deliveries).json().get("deliveries")
                .findValues("status").stream().allMatch(status -> status.asText().equals("succeeded")));
        JsonNode log = api.get(deliveries).json().get("deliveries");
        assertThat(log).hasSize(3);
        log.forEach(d -> {
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            assertThat(d.get("response_status").asInt()).isEqualTo(200);
            assertThat(d.get("attempts").asInt()).isEqualTo(1);
            assertThat(d.has("latency_ms")).isTrue();
        });
    }

    @Test
    void aWebhookGetsNothingOfEventTypesItDidNotSubscribeToNorOfRunsItsScopeDoesNotOwn() {
        Api api = tenant(server);
        Api other = tenant(server);
        subscribe(api, receiver.url("/only-succeeded"), "run_succeeded");
        String foreign = localRun(other);
        report(other, foreign, "run_in_progress");
        report(other, foreign, "run_succeeded");
        String mine = localRun(api);
        report(api, mine, "run_in_progress");
        report(api, mine, "run_failed");
        String second = localRun(api);
        report(api, second, "run_in_progress");
        report(api, second, "run_succeeded");

        await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.received("/only-succeeded").isEmpty());
        quietFor(Duration.ofMillis(800));
        List<Received> got = receiver.received("/only-succeeded");
        assertThat(got).hasSize(1);
        assertThat(got.getFirst().json().get("type").asText()).isEqualTo("run_succeeded");
        assertThat(got.getFirst().json().at("/data/run/run_id").asText()).isEqualTo(second);
        assertThat(got.getFirst().json().at("/data/run/state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aReceiverThatAnswers500TwiceGetsTheSameDeliveryAgainUntilItSucceedsAndCanAskForItOnceMore() {
        Api api = tenant(server);
        receiver.answer("/flaky", 500, 500);
        JsonNode hook = subscribe(api, receiver.url("/flaky"), "run_queued");
        String secret = hook.get("secret").asText();
        localRun(api);

        await().atMost(Duration.ofSeconds(20)).until(() -> successful(receiver.received("/flaky")).size() == 1);
        List<Received> got = receiver.received("/flaky");
        assertThat(got).extracting(Received::answered).containsExactly(500, 500, 200);
        assertThat(got).extracting(Received::id).containsOnly(got.getFirst().id());
        assertThat(got).allSatisfy(r -> assertThat(r.signedWith(secret)).isTrue());
        assertThat(got).extracting(Received::body).containsOnly(got.getFirst().body());

        String hookId = hook.get("id").asText();
        // the receiver has answered before the sender records the outcome: wait for the record, not the answer
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/webhooks/" + hookId + "/deliveries").json()
                .get("deliveries").get(0).get("status").asText().equals("succeeded"));
        JsonNode delivery = api.get("/webhooks/" + hookId + "/deliveries").json().get("deliveries").get(0);
        assertThat(delivery.get("id").asText()).isEqualTo(got.getFirst().id());
        assertThat(delivery.get("status").asText()).isEqualTo("succeeded");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.get("response_status").asInt()).isEqualTo(200);
        assertThat(api.get("/webhooks/" + hookId).json().get("consecutive_failures").asInt()).isZero();

        Api.Reply again = api.post("/webhooks/" + hookId + "/deliveries/" + delivery.get("id").asText() + "/redeliver",
                (String) null);
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> successful(receiver.received("/flaky")).size() == 2);
        assertThat(successful(receiver.received("/flaky")).get(1).id()).isEqualTo(got.getFirst().id());

        // every attempt is in the delivery's history, the redelivery's too: status, latency, error
        String one = "/webhooks/" + hookId + "/deliveries/" + delivery.get("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(one).json().get("attempt_history").size() == 4);
        JsonNode history = api.get(one).json().get("attempt_history");
        assertThat(history.findValues("response_status")).extracting(JsonNode::asInt).containsExactly(500, 500, 200, 200);
        assertThat(history.findValues("succeeded")).extracting(JsonNode::asBoolean).containsExactly(false, false, true, true);
        assertThat(history.get(0).get("error").asText()).isEqualTo("HTTP 500");
        assertThat(history).allSatisfy(a -> assertThat(a.get("latency_ms").asLong()).isNotNegative());
        assertThat(api.get("/webhooks/" + hookId + "/deliveries/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(tenant(server).get(one).status()).isEqualTo(404);
    }

    @Test
    void webhooksAndDeliveriesArePagedWithCursorsThatNeitherRepeatNorSkip() {
        Api api = tenant(server);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(subscribe(api, receiver.url("/paged-" + i), "run_queued").get("id").asText());
        }
        List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Reply page = api.get("/webhooks?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().get("webhooks").forEach(w -> seen.add(w.get("id").asText()));
            JsonNode info = page.json().get("page_info");
            cursor = info.get("has_next_page").asBoolean() ? info.get("next_cursor").asText() : null;
            if (pages++ == 0) {
                subscribe(api, receiver.url("/paged-late"), "run_queued"); // created while paging: shown at the end
            }
        } while (cursor != null);
        assertThat(seen.subList(0, 5)).containsExactlyElementsOf(ids);
        assertThat(seen).hasSize(6).doesNotHaveDuplicates();

        String hookId = ids.getFirst();
        for (int i = 0; i < 5; i++) {
            localRun(api);
        }
        String path = "/webhooks/" + hookId + "/deliveries";
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get(path).json().get("deliveries").size() == 5);
        List<Long> sequences = new java.util.ArrayList<>();
        cursor = null;
        do {
            JsonNode page = api.get(path + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("deliveries").forEach(d -> sequences.add(d.get("event_sequence").asLong()));
            cursor = page.at("/page_info/has_next_page").asBoolean() ? page.at("/page_info/next_cursor").asText() : null;
        } while (cursor != null);
        assertThat(sequences).hasSize(5).doesNotHaveDuplicates().isSortedAccordingTo(java.util.Comparator.reverseOrder());

        // a cursor of another list, or no cursor at all, is a 400 naming it
        String webhooksCursor = api.get("/webhooks?limit=1").json().at("/page_info/next_cursor").asText();
        for (String bad : List.of(webhooksCursor, "not-a-cursor", "%00")) {
            Api.Reply r = api.get(path + "?cursor=" + bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("detail").asText()).startsWith("cursor:");
        }
    }

    @Test
    void aWebhookIsDisabledAfterTheConfiguredRunOfFailedAttemptsAndWhenEnabledAgainItsPendingDeliveryArrives() {
        Api api = tenant(server);
        receiver.answerAlways("/down", 500);
        JsonNode hook = subscribe(api, receiver.url("/down"), "run_queued");
        String hookId = hook.get("id").asText();
        localRun(api);

        await().atMost(Duration.ofSeconds(20)).until(() -> !api.get("/webhooks/" + hookId).json().get("enabled")
                .asBoolean());
        JsonNode disabled = api.get("/webhooks/" + hookId).json();
        assertThat(disabled.get("consecutive_failures").asInt()).isEqualTo(3);
        assertThat(disabled.get("disabled_reason").asText()).contains("3 consecutive failed attempts", "HTTP 500");
        quietFor(Duration.ofMillis(800));
        assertThat(receiver.received("/down")).as("nothing is sent to a disabled webhook").hasSize(3);
        JsonNode pending = api.get("/webhooks/" + hookId + "/deliveries").json().get("deliveries").get(0);
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        assertThat(pending.get("error").asText()).isEqualTo("HTTP 500");

        receiver.answerAlways("/down", 200);
        Api.Reply enabled = api.post("/webhooks/" + hookId + "/enable", (String) null);
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
        assertThat(enabled.json().get("enabled").asBoolean()).isTrue();
        assertThat(enabled.json().get("consecutive_failures").asInt()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> successful(receiver.received("/down")).size() == 1);
        assertThat(successful(receiver.received("/down")).getFirst().id()).isEqualTo(pending.get("id").asText());
    }

    @Test
    void anotherTeamCannotSeeListDeleteOrReadTheDeliveriesOfAWebhook() {
        Api owner = tenant(server);
        Api stranger = tenant(server);
        String id = subscribe(owner, receiver.url("/private"), "run_queued").get("id").asText();

        for (Api.Reply r : List.of(stranger.get("/webhooks/" + id), stranger.delete("/webhooks/" + id),
                stranger.get("/webhooks/" + id + "/deliveries"), stranger.post("/webhooks/" + id + "/enable",
                        (String) null))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.header("content-type")).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).startsWith("webhookId:");
        }
        assertThat(stranger.get("/webhooks").json().get("webhooks")).isEmpty();
        assertThat(owner.get("/webhooks").json().get("webhooks")).extracting(w -> w.get("id").asText())
                .containsExactly(id);
        assertThat(owner.get("/webhooks/" + id).json().at("/scope/type").asText()).isEqualTo("Team");
        assertThat(owner.get("/webhooks/not-a-uuid").status()).isEqualTo(404);

        assertThat(owner.delete("/webhooks/" + id).status()).isEqualTo(200);
        assertThat(owner.get("/webhooks/" + id).status()).isEqualTo(404);
    }

    @Test
    void neitherAWorkerKeyNorARunTokenMayManageWebhooks() {
        int n = TENANTS.incrementAndGet();
        Api worker = server.newWorkerKey("webhooks-worker-" + n);
        Api.Reply r = worker.post("/webhooks", Map.of("url", receiver.url("/w"), "event_types", List.of("run_queued")));
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(worker.get("/webhooks").status()).isEqualTo(403);

        // a run token comes with a claim: a pool of this test's own, so that the claim takes this run
        String pool = "webhooks-pool-" + n;
        Api.Reply registered = worker.post("/workers", Map.of("name", "w-" + n, "pool", pool, "slots", 1));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        Api owner = tenant(server);
        String hookId = subscribe(owner, receiver.url("/w"), "run_queued").get("id").asText();
        owner.createRun(Map.of("prompt", "tokened", "config", Map.of("worker_host", pool)));
        Api.Reply claimed = worker.post("/workers/" + registered.json().get("worker_id").asText() + "/claim?wait=5",
                (String) null);
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        Api agent = new Api(server.apiBaseUrl(), claimed.json().get("run_token").asText());
        assertThat(agent.get("/webhooks").status()).isEqualTo(403);
        assertThat(agent.get("/webhooks/" + hookId).status()).isEqualTo(403);
        assertThat(agent.delete("/webhooks/" + hookId).status()).isEqualTo(403);
        assertThat(agent.post("/webhooks", Map.of("url", receiver.url("/w"), "event_types", List.of("run_queued")))
                .status()).isEqualTo(403);
        assertThat(owner.get("/webhooks/" + hookId).status()).isEqualTo(200);
    }

    @Test
    void badInputIsA400ThatNamesTheField() {
        Api api = tenant(server);
        Map<String, Object> good = Map.of("url", receiver.url("/x"), "event_types", List.of("run_queued"));
        Map<String, Map<String, Object>> cases = Map.of(
                "url:", without(good, "url"),
                "url: must be an http", with(good, "url", "ftp://example.com/x"),
                "url: must not hold credentials", with(good, "url", "http://u:p@example.com/x"),
                "url: port must be between 1 and 65535", with(good, "url", "http://example.com:70000/x"),
                "event_types:", without(good, "event_types"),
                "event_types[1]:", with(good, "event_types", List.of("run_queued", "run_exploded")),
                "description:", with(good, "description", "d".repeat(1001)));
        cases.forEach((field, body) -> {
            Api.Reply r = api.post("/webhooks", body);
            assertThat(r.status()).as(field + " " + r).isEqualTo(400);
            assertThat(r.header("content-type")).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field);
        });
        Api.Reply wrongType = api.post("/webhooks", "{\"url\": 5, \"event_types\": \"run_queued\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        String id = subscribe(api, receiver.url("/x"), "run_queued").get("id").asText();
        Api.Reply badLimit = api.get("/webhooks/" + id + "/deliveries?limit=0");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.json().get("detail").asText()).startsWith("limit:");
        assertThat(api.post("/webhooks/" + id + "/deliveries/" + java.util.UUID.randomUUID() + "/redeliver",
                (String) null).json().get("detail").asText()).startsWith("deliveryId:");
    }

    @Test
    void aLoopbackTargetIsRefusedWhenPrivateTargetsAreNotAllowed() {
        try (TestServer strict = TestServer.start(backend(), backend().freshConfig())) {
            Api api = tenant(strict);
            for (String url : List.of(receiver.url("/x"), "http://localhost:9/x", "http://169.254.169.254/latest",
                    "http://10.1.2.3/x", "http://[::1]/x")) {
                Api.Reply r = api.post("/webhooks", Map.of("url", url, "event_types", List.of("run_queued")));
                assertThat(r.status()).as(url + " " + r).isEqualTo(400);
                assertThat(r.json().get("detail").asText()).as(url).startsWith("url:")
                        .contains("DROVER_WEBHOOK_ALLOW_PRIVATE");
            }
            assertThat(api.get("/webhooks").json().get("webhooks")).isEmpty();
        }
    }

    @Test
    void deliveriesPendingWhenTheServerStopsAllArriveOnceANewServerRunsOnTheSameDatabase() {
        Map<String, String> env = new HashMap<>(FAST);
        env.put("DROVER_WEBHOOK_DISABLE_AFTER", "0");
        ServerConfig config = backend().freshConfig().withTeamConcurrency(0).withEnv(env);
        receiver.answerAlways("/restart", 503);
        String hookId;
        Set<String> pending;
        Api api;
        try (TestServer first = TestServer.start(backend(), config)) {
            api = tenant(first);
            hookId = subscribe(api, receiver.url("/restart"), "run_queued", "run_in_progress", "run_succeeded")
                    .get("id").asText();
            String run = localRun(api);
            report(api, run, "run_in_progress");
            report(api, run, "run_succeeded");
            String path = "/webhooks/" + hookId + "/deliveries";
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get(path).json().get("deliveries").size() == 3
                    && receiver.received("/restart").size() >= 3);
            pending = new java.util.TreeSet<>();
            api.get(path).json().get("deliveries").forEach(d -> pending.add(d.get("id").asText()));
        }
        receiver.answerAlways("/restart", 200);
        try (TestServer second = TestServer.start(backend(), config)) {
            Api again = new Api(second.apiBaseUrl(), api.key());
            await().atMost(Duration.ofSeconds(40)).until(() -> successful(receiver.received("/restart")).stream()
                    .map(Received::id).collect(Collectors.toSet()).equals(pending));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(again.get("/webhooks/" + hookId
                    + "/deliveries").json().get("deliveries")).allSatisfy(d ->
                    assertThat(d.get("status").asText()).isEqualTo("succeeded")));
            assertThat(successful(receiver.received("/restart"))).hasSize(3);
        }
    }

    /**
     * A node that dies mid-attempt leaves its claim behind: the delivery's due time pushed past the lease and the
     * node's claim token. Written here as such a node leaves it; another node sends it again once the lease ends.
     */
    @Test
    void aDeliveryClaimedByANodeThatDiedMidAttemptIsSentAgainWhenItsLeaseEnds() {
        Api api = tenant(server);
        String hookId = subscribe(api, receiver.url("/crash"), "run_queued").get("id").asText();
        localRun(api);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received("/crash").size() == 1);
        String deliveryId = receiver.received("/crash").getFirst().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/webhooks/" + hookId + "/deliveries").json()
                .get("deliveries").get(0).get("status").asText().equals("succeeded"));

        long leaseEnd = dev.drover.server.store.Times.micros(java.time.Instant.now().plusSeconds(12));
        server.server().database().write(h -> h.createUpdate("""
                        UPDATE webhook_deliveries SET status = 'pending', attempts = 0, claim_token = 'dead-node',
                            next_attempt_at = :lease WHERE id = :id""")
                .bind("lease", leaseEnd).bind("id", deliveryId).execute());

        quietFor(Duration.ofSeconds(2));
        assertThat(receiver.received("/crash")).as("not while the dead node's lease lasts").hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received("/crash").size() == 2);
        assertThat(receiver.received("/crash")).extracting(Received::id).containsOnly(deliveryId);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/webhooks/" + hookId + "/deliveries").json()
                .get("deliveries").get(0).get("status").asText().equals("succeeded"));
    }

    @Test
    void finishedDeliveriesOlderThanTheRetentionLeaveTheLogWhilePendingOnesStay() {
        Api api = tenant(server);
        String done = subscribe(api, receiver.url("/prune"), "run_queued").get("id").asText();
        receiver.answerAlways("/prune-down", 500);
        String down = subscribe(api, receiver.url("/prune-down"), "run_queued").get("id").asText();
        localRun(api);
        await().atMost(Duration.ofSeconds(20)).until(() -> successful(receiver.received("/prune")).size() == 1
                && receiver.received("/prune-down").size() >= 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/webhooks/" + done + "/deliveries").json()
                .at("/deliveries/0/status").asText().equals("succeeded"));
        // both 31 days old: the succeeded one goes, the pending one (its webhook disabled) stays
        server.server().database().write(h -> h.createUpdate(
                        "UPDATE webhook_deliveries SET created_at = :old WHERE webhook_id IN (:done, :down)")
                .bind("old", dev.drover.server.store.Times.micros(java.time.Instant.now().minus(Duration.ofDays(31))))
                .bind("done", done).bind("down", down).execute());
        WebhookDeliveries deliveries = new WebhookDeliveries(server.server().database(), java.time.Clock.systemUTC(),
                WebhookSettings.fromEnv(FAST), new WebhookTargets(true), new WebhookSender(Duration.ofSeconds(1)),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        assertThat(deliveries.prune()).isGreaterThanOrEqualTo(1);
        assertThat(api.get("/webhooks/" + done + "/deliveries").json().get("deliveries")).isEmpty();
        assertThat(api.get("/webhooks/" + down + "/deliveries").json().get("deliveries")).hasSize(1);
    }

    private static Map<String, Object> without(Map<String, Object> body, String key) {
        Map<String, Object> out = new HashMap<>(body);
        out.remove(key);
        return out;
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> out = new HashMap<>(body);
        out.put(key, value);
        return out;
    }
}
