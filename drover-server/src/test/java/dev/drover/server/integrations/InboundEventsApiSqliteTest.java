package dev.drover.server.integrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InboundEventsApiSqliteTest extends InboundEventsApiTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }

    @Test
    void anIntegrationWhoseSecretIsNotConfiguredDoesNotExist() {
        try (TestServer bare = TestServer.start(Backend.SQLITE)) {
            for (String forge : new String[] {"github", "gitlab"}) {
                Api.Reply r = bare.anonymous().post("/integrations/" + forge + "/webhook", "{}",
                        Map.of("X-GitHub-Event", "ping", "X-Gitlab-Event", "Note Hook"));
                assertThat(r.status()).as(r.toString()).isEqualTo(404);
                assertThat(r.json().get("detail").asText()).isEqualTo("path: no endpoint POST /api/v1/integrations/"
                        + forge + "/webhook");
            }
            // and nothing else under /integrations/ is let through without a key
            assertThat(bare.anonymous().get("/integrations/github/webhook").status()).isEqualTo(401);
        }
    }
}
