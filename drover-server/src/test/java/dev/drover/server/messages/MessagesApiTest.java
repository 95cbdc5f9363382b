package dev.drover.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Messages between runs: send, inbox, read, delivered; bad input; tenancy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MessagesApiTest {
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

    private Api.Reply send(Api as, List<String> to, String subject, String body, String sender) {
        return as.post("/agent/messages", Map.of("to", to, "subject", subject, "body", body, "sender_run_id", sender));
    }

    @Test
    void aMessageToSeveralRunsGivesEachItsOwnCopyAndEvent() {
        String sender = api.createRun("sender");
        String a = api.createRun("a");
        String b = api.createRun("b");
        Api.Reply r = send(api, List.of(b, a), "hello", "the body", sender);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode ids = r.json().get("message_ids");
        assertThat(ids).hasSize(2);

        JsonNode inboxB = api.get("/agent/messages/" + b).json();
        assertThat(inboxB).hasSize(1);
        JsonNode header = inboxB.get(0);
        assertThat(header.get("message_id").asText()).as("ids follow the order of to").isEqualTo(ids.get(0).asText());
        assertThat(header.get("sender_run_id").asText()).isEqualTo(sender);
        assertThat(header.get("subject").asText()).isEqualTo("hello");
        assertThat(header.has("body")).isFalse();
        assertThat(header.get("delivered_at").isNull()).isTrue();
        assertThat(header.get("read_at").isNull()).isTrue();
        assertThat(api.get("/agent/messages/" + a).json().get(0).get("message_id").asText()).isEqualTo(ids.get(1).asText());

        JsonNode events = api.get("/agent/events?run_ids=" + b).json();
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("event_type").asText()).isEqualTo("new_message");
        assertThat(last.get("ref_id").asText()).isEqualTo(ids.get(0).asText());
    }

    @Test
    void readingReturnsTheBodyAndMarksItReadAndDelivered() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        String id = send(api, List.of(to), "s", "full body", sender).json().get("message_ids").get(0).asText();

        Api.Reply delivered = api.post("/agent/messages/" + id + "/delivered", (String) null);
        assertThat(delivered.status()).isEqualTo(204);
        String deliveredAt = api.get("/agent/messages/" + to).json().get(0).get("delivered_at").asText();
        assertThat(api.post("/agent/messages/" + id + "/delivered", (String) null).status()).isEqualTo(204);
        assertThat(api.get("/agent/messages/" + to).json().get(0).get("delivered_at").asText())
                .as("idempotent: the first delivery time stays").isEqualTo(deliveredAt);

        JsonNode read = api.post("/agent/messages/" + id + "/read", (String) null).json();
        assertThat(read.get("body").asText()).isEqualTo("full body");
        assertThat(read.get("read_at").isNull()).isFalse();
        assertThat(read.get("delivered_at").asText()).isEqualTo(deliveredAt);
        assertThat(api.get("/agent/messages/" + to + "?unread=true").json()).isEmpty();
        assertThat(api.get("/agent/messages/" + to + "?unread=false").json()).hasSize(1);
    }

    @Test
    void theInboxFiltersBySinceAndLimit() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        for (int i = 0; i < 5; i++) {
            send(api, List.of(to), "m" + i, "b", sender);
        }
        JsonNode all = api.get("/agent/messages/" + to).json();
        assertThat(all).hasSize(5);
        List<String> subjects = new ArrayList<>();
        all.forEach(m -> subjects.add(m.get("subject").asText()));
        assertThat(subjects).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(api.get("/agent/messages/" + to + "?limit=2").json()).hasSize(2);
        String since = all.get(2).get("sent_at").asText();
        JsonNode later = api.get("/agent/messages/" + to + "?since=" + since).json();
        assertThat(later.size()).isLessThanOrEqualTo(2);
        later.forEach(m -> assertThat(m.get("sent_at").asText().compareTo(since)).isPositive());
        assertThat(api.get("/agent/messages/" + to + "?limit=101").status()).isEqualTo(400);
        assertThat(api.get("/agent/messages/" + to + "?since=soon").status()).isEqualTo(400);
        assertThat(api.get("/agent/messages/" + to + "?unread=maybe").status()).isEqualTo(400);
    }

    static List<Object[]> badSends() {
        String run = "00000000-0000-0000-0000-000000000000";
        return List.of(
                new Object[] {"{\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":[],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":\"%s\",\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":[\"%s\"],\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"" + "s".repeat(1025) + "\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"" + "b".repeat(131073) + "\",\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":7,\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"b\"}", "sender_run_id"});
    }

    @ParameterizedTest(name = "refused naming {1}")
    @MethodSource("badSends")
    void badSendsAreProblemsNamingTheField(String template, String field) {
        String run = api.createRun("r");
        Api.Reply r = api.post("/agent/messages", template.replace("%s", run));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).startsWith(field + ":");
    }

    @Test
    void aTerminalRecipientRefusesTheWholeMessage() {
        String sender = api.createRun("sender");
        String live = api.createRun("live");
        String done = api.createRun("done");
        api.post("/agent/runs/" + done + "/cancel", (String) null);
        Api.Reply r = send(api, List.of(live, done), "s", "b", sender);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("detail").asText()).startsWith("to[1]:");
        assertThat(api.get("/agent/messages/" + live).json()).as("nothing half-written").isEmpty();
    }

    @Test
    void foreignRunsAndMessagesAreNotFound() {
        Api stranger = server.newTenant("msg-" + UUID.randomUUID());
        String mine = api.createRun("mine");
        String theirs = stranger.createRun("theirs");
        String id = send(api, List.of(mine), "s", "secret", mine).json().get("message_ids").get(0).asText();

        assertThat(send(stranger, List.of(theirs), "s", "b", mine).status()).as("sender not theirs").isEqualTo(404);
        Api.Reply r = send(stranger, List.of(mine), "s", "b", theirs);
        assertThat(r.status()).as("recipient not visible").isEqualTo(404);
        assertThat(r.json().get("detail").asText()).startsWith("to[0]:");
        assertThat(stranger.get("/agent/messages/" + mine).status()).isEqualTo(404);
        assertThat(stranger.post("/agent/messages/" + id + "/read", (String) null).status()).isEqualTo(404);
        assertThat(stranger.post("/agent/messages/" + id + "/delivered", (String) null).status()).isEqualTo(404);
        assertThat(api.post("/agent/messages/" + UUID.randomUUID() + "/read", (String) null).status()).isEqualTo(404);
        assertThat(api.get("/agent/messages/" + mine).json().get(0).get("read_at").isNull()).isTrue();
    }
}
