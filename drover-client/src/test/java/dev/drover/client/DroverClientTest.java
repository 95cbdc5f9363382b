package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.CloudEnvironment;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.CreateEnvironmentRequest;
import dev.drover.api.GitHubRepo;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunItem;
import dev.drover.api.RunState;
import dev.drover.api.SendMessageRequest;
import dev.drover.api.WebhookRecords;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Java client against a real server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DroverClientTest {
    TestServer server;
    DroverClient client;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0));
        client = new DroverClient(server.server().publicUrl(), TestServer.ADMIN_KEY);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static RunAgentRequest named(String prompt, String name) {
        return new RunAgentRequest(prompt, null, new AmbientAgentConfig(name, null, null, null, null, null, null, null,
                null, null, null), null, null, null, null, null, null, null, null);
    }

    @Test
    void createGetCancelRoundTrip() {
        RunAgentResponse created = client.createRun(RunAgentRequest.ofPrompt("from java"));
        assertThat(created.state()).isEqualTo(RunState.QUEUED);
        RunItem run = client.getRun(created.runId());
        assertThat(run.prompt()).isEqualTo("from java");
        assertThat(client.cancelRun(created.runId())).isEqualTo(created.runId());
        assertThat(client.getRun(created.runId()).state()).isEqualTo(RunState.CANCELLED);
    }

    @Test
    void theRunsStreamFollowsCursorsAcrossPages() {
        String name = UUID.randomUUID().toString();
        for (int i = 0; i < 7; i++) {
            client.createRun(named("p" + i, name));
        }
        List<RunItem> all = client.runs(RunQuery.all().name(name).limit(3)).toList();
        assertThat(all).hasSize(7);
        assertThat(all.stream().map(RunItem::runId).distinct()).hasSize(7);
        assertThat(client.runs(RunQuery.all().name(name).state(RunState.CANCELLED)).toList()).isEmpty();
    }

    @Test
    void environmentsCanBeCreatedListedUpdatedAndDeleted() {
        String name = "env-" + UUID.randomUUID();
        CloudEnvironment created = client.createEnvironment(new CreateEnvironmentRequest(name, "d", null,
                List.of(new GitHubRepo("acme", "web")), List.of("make"), null));
        assertThat(created.uid()).hasSize(22);
        assertThat(client.getEnvironment(created.uid()).config().githubRepos()).containsExactly(new GitHubRepo("acme", "web"));
        assertThat(client.listEnvironments("name").environments()).extracting(CloudEnvironment::uid).contains(created.uid());
        CloudEnvironment updated = client.updateEnvironment(created.uid(),
                new CloudEnvironmentConfig(name + "-2", null, "ubuntu:24.04", List.of(), List.of("make", "make test")));
        assertThat(updated.config().name()).isEqualTo(name + "-2");
        assertThat(updated.config().setupCommands()).containsExactly("make", "make test");
        client.deleteEnvironment(created.uid());
        assertThatThrownBy(() -> client.getEnvironment(created.uid()))
                .isInstanceOfSatisfying(DroverApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> client.createEnvironment(new CreateEnvironmentRequest(" ", null, null, null, null, null)))
                .isInstanceOfSatisfying(DroverApiException.class, e -> assertThat(e.problem().detail()).startsWith("name:"));
    }

    @Test
    void problemsSurfaceWithTheirStatusAndDetail() {
        assertThatThrownBy(() -> client.getRun(UUID.randomUUID().toString()))
                .isInstanceOfSatisfying(DroverApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.problem().detail()).startsWith("runId:");
                });
        assertThatThrownBy(() -> client.createRun(RunAgentRequest.ofPrompt(null)))
                .isInstanceOfSatisfying(DroverApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        DroverClient wrongKey = new DroverClient(server.apiBaseUrl(), "drv_wrong");
        assertThatThrownBy(wrongKey::models).isInstanceOfSatisfying(DroverApiException.class,
                e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void anUnreachableServerIsReportedAfterRetries() {
        DroverClient nowhere = new DroverClient("http://127.0.0.1:1/api/v1", "drv_x");
        assertThatThrownBy(nowhere::models).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot reach");
    }

    @Test
    void messagesAndEventsRoundTrip() {
        String a = client.createRun(RunAgentRequest.ofPrompt("a")).runId();
        String b = client.createRun(RunAgentRequest.ofPrompt("b")).runId();
        long since = client.pollEvents(List.of(b), 0, 0).getLast().sequence();
        String id = client.sendMessage(new SendMessageRequest(List.of(b), "hi", "body", a)).messageIds().getFirst();
        assertThat(client.pollEvents(List.of(b), since, 5)).singleElement()
                .satisfies(e -> assertThat(e.refId()).isEqualTo(id));
        assertThat(client.inbox(b, true)).singleElement().satisfies(h -> assertThat(h.subject()).isEqualTo("hi"));
        assertThat(client.readMessage(id).body()).isEqualTo("body");
        assertThat(client.inbox(b, true)).isEmpty();
    }
    @Test
    void webhooksAreManagedAndTheirDeliveriesReadThroughTheClient() throws Exception {
        var receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        try (TestServer local = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0)
                        .withEnv(java.util.Map.of("DROVER_WEBHOOK_ALLOW_PRIVATE", "true",
                                "DROVER_WEBHOOK_INTERVAL_MS", "100", "DROVER_WEBHOOK_RETRY_BASE_MS", "100",
                                "DROVER_WEBHOOK_RETRY_MAX_MS", "200")))) {
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            receiver.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 500 : 204, -1); // the first attempt fails
                exchange.close();
            });
            receiver.start();
            DroverClient api = new DroverClient(local.server().publicUrl(), TestServer.ADMIN_KEY);
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            WebhookRecords.WebhookItem created = api.createWebhook(
                    new WebhookRecords.CreateWebhookRequest(url, List.of("run_queued"), "from java", null));
            assertThat(created.secret()).startsWith("whsec_");
            for (int i = 0; i < 3; i++) {
                api.createWebhook(new WebhookRecords.CreateWebhookRequest(url + i, List.of("run_cancelled"), null, null));
            }
            assertThat(api.listWebhooks(2, null).pageInfo().hasNextPage()).isTrue();
            assertThat(api.webhooks().map(WebhookRecords.WebhookItem::id).toList()).hasSize(4).first()
                    .isEqualTo(created.id());
            assertThat(api.getWebhook(created.id()).secret()).isNull();

            api.createRun(RunAgentRequest.ofPrompt("hooked"));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (api.listDeliveries(created.id(), 10, null).deliveries().stream()
                    .noneMatch(d -> d.status().equals("succeeded"))) {
                assertThat(System.nanoTime()).as("a delivery succeeds within 20 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            WebhookRecords.DeliveryItem delivery = api.listDeliveries(created.id(), 10, null).deliveries().getFirst();
            WebhookRecords.DeliveryItem detailed = api.getDelivery(created.id(), delivery.id());
            assertThat(detailed.attemptHistory()).extracting(WebhookRecords.DeliveryAttempt::responseStatus)
                    .containsExactly(500, 204);
            assertThat(api.redeliver(created.id(), delivery.id()).status()).isEqualTo("pending");
            assertThat(api.enableWebhook(created.id()).enabled()).isTrue();
            api.deleteWebhook(created.id());
            assertThatThrownBy(() -> api.getWebhook(created.id())).isInstanceOf(DroverApiException.class)
                    .hasMessageContaining("webhookId");
        } finally {
            receiver.stop(0);
        }
    }
}
