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
}
