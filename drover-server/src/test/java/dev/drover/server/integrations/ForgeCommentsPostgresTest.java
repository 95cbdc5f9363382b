package dev.drover.server.integrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForgeCommentsPostgresTest extends ForgeCommentsTest {
    @Override
    Backend backend() {
        return Backend.POSTGRES;
    }

    /** Two nodes run both comment passes on one database: SKIP LOCKED claims and compare-and-sets post each once. */
    @Test
    void twoNodesPostEachCommentOnceBetweenThem() throws InterruptedException {
        try (TestServer second = TestServer.start(backend(), config)) {
            List<Issue> issues = new ArrayList<>();
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Issue issue = issue();
                issues.add(issue);
                runs.add(trigger(issue));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> issues.stream().allMatch(i -> commentsOn(i).size() == 1));
            for (int i = 0; i < runs.size(); i++) {
                // half the runs end through one node, half through the other; both nodes look for ends
                TestServer node = i % 2 == 0 ? server : second;
                new Api(node.apiBaseUrl(), issues.get(i).api().key()).post("/agent/runs/" + runs.get(i) + "/cancel",
                        (String) null);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> issues.stream().allMatch(i -> commentsOn(i).size() == 2));
            Thread.sleep(1000); // nothing more arrives: passes run every 100 ms on both nodes, ten chances to post twice
            assertThat(issues).allSatisfy(i -> assertThat(commentsOn(i)).hasSize(2));
        }
    }
}
