package dev.drover.server.integrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InboundEventsApiPostgresTest extends InboundEventsApiTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    /** Two nodes on one database receiving the same delivery at once (a forge retrying after a timeout). */
    @Test
    void twoNodesReceivingOneDeliveryAtOnceStartExactlyOneRun() throws Exception {
        try (TestServer second = TestServer.start(backend(), config)) {
            Setup s = setup();
            String id = delivery();
            String payload = ForgePayloads.githubComment(s.owner(), s.repo(), 20, "@drover", "OWNER", false);
            byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.util.Map<String, String> headers = java.util.Map.of("X-GitHub-Event", "issue_comment",
                    "X-GitHub-Delivery", id, "X-Hub-Signature-256", ForgeSignatures.githubSignature(SECRET, bytes));
            List<Callable<Api.Reply>> posts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                TestServer node = i % 2 == 0 ? server : second;
                posts.add(() -> node.anonymous().post("/integrations/github/webhook", payload, headers));
            }
            List<Api.Reply> replies = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(10)) {
                for (Future<Api.Reply> f : pool.invokeAll(posts)) {
                    replies.add(f.get());
                }
            }
            assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(200, 201));
            assertThat(replies.stream().filter(r -> r.status() == 201)).as("one node created it").hasSize(1);
            assertThat(replies.stream().map(r -> r.json().get("run_id").asText()).collect(Collectors.toSet())).hasSize(1);
            assertThat(runs(s.api())).hasSize(1);
        }
    }
}
