package dev.drover.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.eventlog.EventBus;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.store.Database;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.Races;
import dev.drover.server.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Messages between runs: send, inbox, read, delivered; bad input; terminal recipients; tenancy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MessagesApiTest {
    private static final String HEADER_FIELDS = "[delivered_at, message_id, read_at, sender_run_id, sent_at, subject]";

    TestServer server;
    Api api;

    abstract Backend backend();

    @BeforeAll
    void start() {
        // no capacity limit and no workers: runs stay QUEUED until a test ends them
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0));
        api = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static Api.Reply send(Api as, List<String> to, String subject, String body, String sender) {
        return as.post("/agent/messages", Map.of("to", to, "subject", subject, "body", body, "sender_run_id", sender));
    }

    private static String sendOne(Api as, String to, String subject, String body, String sender) {
        Api.Reply r = send(as, List.of(to), subject, body, sender);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("message_ids").get(0).asText();
    }

    /** The ref ids of the {@code new_message} events of {@code run}, oldest first. */
    private List<String> newMessageEvents(String run) {
        Api.Reply r = api.get("/agent/events?run_ids=" + run);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> refs = new ArrayList<>();
        for (JsonNode e : r.json()) {
            assertThat(e.get("run_id").asText()).isEqualTo(run);
            if (e.get("event_type").asText().equals("new_message")) {
                refs.add(e.get("ref_id").asText());
            }
        }
        return refs;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        Collections.sort(names);
        return names;
    }

    private static void assertProblem(Api.Reply r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).as(r.toString()).startsWith(field + ":");
    }

    @Test
    void aMessageToSeveralRunsGivesEachItsOwnCopyAndEventInTheOrderOfTo() {
        String sender = api.createRun("sender");
        String a = api.createRun("a");
        String b = api.createRun("b");
        String c = api.createRun("c");
        Api.Reply r = send(api, List.of(c, a, b), "hello", "the body", sender);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(fieldNames(r.json())).containsExactly("message_ids");
        JsonNode ids = r.json().get("message_ids");
        assertThat(ids).hasSize(3);
        List<String> recipients = List.of(c, a, b);
        for (int i = 0; i < 3; i++) {
            String id = ids.get(i).asText();
            String recipient = recipients.get(i);
            JsonNode inbox = api.get("/agent/messages/" + recipient).json();
            assertThat(inbox).as("one copy each").hasSize(1);
            JsonNode header = inbox.get(0);
            assertThat(header.get("message_id").asText()).as("ids follow the order of to").isEqualTo(id);
            assertThat(header.get("sender_run_id").asText()).isEqualTo(sender);
            assertThat(header.get("subject").asText()).isEqualTo("hello");
            assertThat(newMessageEvents(recipient)).as("new_message on " + recipient).containsExactly(id);
        }
        assertThat(List.of(ids.get(0).asText(), ids.get(1).asText(), ids.get(2).asText())).doesNotHaveDuplicates();
        assertThat(newMessageEvents(sender)).as("the sender hears nothing").isEmpty();
        assertThat(api.get("/agent/messages/" + sender).json()).isEmpty();
    }

    @Test
    void theInboxShowsHeadersWithNullTimesUntilTheyAreSet() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        Instant before = Instant.now().minusSeconds(1);
        String id = sendOne(api, to, "subject line", "never in a header", sender);

        Api.Reply r = api.get("/agent/messages/" + to);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode header = r.json().get(0);
        assertThat(fieldNames(header)).hasToString(HEADER_FIELDS);
        assertThat(header.get("message_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(header.get("sent_at").asText())).isAfter(before).isBefore(Instant.now().plusSeconds(1));
        assertThat(header.get("delivered_at").isNull()).isTrue();
        assertThat(header.get("read_at").isNull()).isTrue();
    }

    @Test
    void readingReturnsTheWholeMessageAndMarksItReadAndDelivered() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        String id = sendOne(api, to, "s", "full body ✓", sender);
        String sentAt = api.get("/agent/messages/" + to).json().get(0).get("sent_at").asText();

        Api.Reply read = api.post("/agent/messages/" + id + "/read", (String) null);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        JsonNode m = read.json();
        assertThat(fieldNames(m)).hasToString("[body, delivered_at, message_id, read_at, sender_run_id, sent_at, subject]");
        assertThat(m.get("message_id").asText()).isEqualTo(id);
        assertThat(m.get("sender_run_id").asText()).isEqualTo(sender);
        assertThat(m.get("subject").asText()).isEqualTo("s");
        assertThat(m.get("body").asText()).isEqualTo("full body ✓");
        assertThat(m.get("sent_at").asText()).isEqualTo(sentAt);
        assertThat(m.get("read_at").isTextual()).isTrue();
        assertThat(m.get("delivered_at").asText()).as("reading delivers too").isEqualTo(m.get("read_at").asText());

        JsonNode header = api.get("/agent/messages/" + to).json().get(0);
        assertThat(header.get("read_at").asText()).isEqualTo(m.get("read_at").asText());
        assertThat(header.get("delivered_at").asText()).isEqualTo(m.get("delivered_at").asText());
        JsonNode again = api.post("/agent/messages/" + id + "/read", (String) null).json();
        assertThat(again.get("read_at").asText()).as("the first read time stays").isEqualTo(m.get("read_at").asText());
        assertThat(again.get("body").asText()).isEqualTo("full body ✓");
    }

    @Test
    void markingDeliveredIsIdempotentAndKeepsTheFirstTime() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        String id = sendOne(api, to, "s", "b", sender);

        Api.Reply delivered = api.post("/agent/messages/" + id + "/delivered", (String) null);
        assertThat(delivered.status()).isEqualTo(204);
        assertThat(delivered.body()).isEmpty();
        JsonNode header = api.get("/agent/messages/" + to).json().get(0);
        String deliveredAt = header.get("delivered_at").asText();
        assertThat(Instant.parse(deliveredAt)).isAfterOrEqualTo(Instant.parse(header.get("sent_at").asText()));
        assertThat(header.get("read_at").isNull()).as("delivered is not read").isTrue();

        assertThat(api.post("/agent/messages/" + id + "/delivered", (String) null).status()).isEqualTo(204);
        assertThat(api.get("/agent/messages/" + to).json().get(0).get("delivered_at").asText())
                .as("the first delivery time stays").isEqualTo(deliveredAt);
        JsonNode read = api.post("/agent/messages/" + id + "/read", (String) null).json();
        assertThat(read.get("delivered_at").asText()).as("reading keeps the delivery time").isEqualTo(deliveredAt);
    }

    @Test
    void theInboxFiltersUnreadMessages() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        String first = sendOne(api, to, "first", "b", sender);
        String second = sendOne(api, to, "second", "b", sender);
        api.post("/agent/messages/" + first + "/read", (String) null);

        assertThat(api.get("/agent/messages/" + to + "?unread=true").json().findValuesAsText("message_id"))
                .containsExactly(second);
        assertThat(api.get("/agent/messages/" + to + "?unread=false").json().findValuesAsText("message_id"))
                .containsExactly(first, second);
        assertThat(api.get("/agent/messages/" + to).json().findValuesAsText("message_id")).containsExactly(first, second);
        api.post("/agent/messages/" + second + "/delivered", (String) null);
        assertThat(api.get("/agent/messages/" + to + "?unread=true").json().findValuesAsText("message_id"))
                .as("delivered but not read is still unread").containsExactly(second);
    }

    @Test
    void theInboxFiltersBySinceOldestFirst() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        for (int i = 0; i < 5; i++) {
            sendOne(api, to, "m" + i, "b", sender);
        }
        JsonNode all = api.get("/agent/messages/" + to).json();
        assertThat(all.findValuesAsText("subject")).containsExactly("m0", "m1", "m2", "m3", "m4");
        Instant since = Instant.parse(all.get(2).get("sent_at").asText());
        List<String> expected = new ArrayList<>();
        all.forEach(m -> {
            if (Instant.parse(m.get("sent_at").asText()).isAfter(since)) {
                expected.add(m.get("message_id").asText());
            }
        });
        assertThat(expected).as("the clock moved between sends").contains(all.get(4).get("message_id").asText());
        assertThat(api.get("/agent/messages/" + to + "?since=" + since).json().findValuesAsText("message_id"))
                .containsExactlyElementsOf(expected);
        assertThat(api.get("/agent/messages/" + to + "?since=" + Instant.now().plusSeconds(60)).json()).isEmpty();
        assertThat(api.get("/agent/messages/" + to + "?since=2000-01-01T00:00:00Z").json()).hasSize(5);
    }

    @Test
    void theInboxLimitDefaultsToFiftyAndIsAtMostAHundred() {
        String sender = api.createRun("sender");
        String to = api.createRun("to");
        // one send with the same recipient 60 times: 60 messages in one request
        assertThat(send(api, Collections.nCopies(60, to), "many", "b", sender).status()).isEqualTo(200);
        assertThat(api.get("/agent/messages/" + to).json()).hasSize(50);
        assertThat(api.get("/agent/messages/" + to + "?limit=2").json()).hasSize(2);
        assertThat(api.get("/agent/messages/" + to + "?limit=100").json()).hasSize(60);
        assertThat(api.get("/agent/messages/" + to + "?limit=1").json()).hasSize(1);
        for (String bad : List.of("101", "0", "-1", "ten", "1.5")) {
            assertProblem(api.get("/agent/messages/" + to + "?limit=" + bad), 400, "limit");
        }
        assertProblem(api.get("/agent/messages/" + to + "?since=soon"), 400, "since");
        assertProblem(api.get("/agent/messages/" + to + "?unread=maybe"), 400, "unread");
    }

    static List<Object[]> badSends() {
        String ok = "\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"";
        return List.of(
                new Object[] {"{\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":[],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":null,\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":\"%s\",\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":{\"id\":\"%s\"},\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to"},
                new Object[] {"{\"to\":[\"%s\", 7],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to[1]"},
                new Object[] {"{\"to\":[\"%s\", null],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "to[1]"},
                new Object[] {"{\"to\":[\"%s\"],\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":42,\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":[\"s\"],\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"" + "s".repeat(1025) + "\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"a\\u0000b\",\"body\":\"b\",\"sender_run_id\":\"%s\"}", "subject"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"" + "b".repeat(131073) + "\",\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"" + "é".repeat(65537) + "\",\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":7,\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":false,\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"nul \\u0000 inside\",\"sender_run_id\":\"%s\"}", "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"b\"}", "sender_run_id"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":\"\"}", "sender_run_id"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",\"body\":\"b\",\"sender_run_id\":12}", "sender_run_id"},
                new Object[] {"{" + ok, "body"},
                new Object[] {"{\"to\":[\"%s\"],\"subject\":\"s\",", "body"},
                new Object[] {"[" + "{" + ok + "}]", "body"},
                new Object[] {"", "body"});
    }

    @ParameterizedTest(name = "{index}: refused naming {1}")
    @MethodSource("badSends")
    void badSendsAreProblemsNamingTheFieldAndWriteNothing(String template, String field) {
        String run = api.createRun("r");
        Api.Reply r = api.post("/agent/messages", template.replace("%s", run));
        assertProblem(r, 400, field);
        assertThat(r.json().get("status").asInt()).isEqualTo(400);
        assertThat(api.get("/agent/messages/" + run).json()).isEmpty();
        assertThat(newMessageEvents(run)).isEmpty();
    }

    @Test
    void fieldsExactlyAtTheirLimitsAreAccepted() {
        String run = api.createRun("r");
        String subject = "😀".repeat(1024); // 1024 characters, 2048 UTF-16 units
        String body = "b".repeat(131072 - 3) + "é€".substring(1); // 131069 + 3 bytes = 128 KiB exactly
        assertThat(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(131072);
        String id = sendOne(api, run, subject, body, run);
        JsonNode m = api.post("/agent/messages/" + id + "/read", (String) null).json();
        assertThat(m.get("subject").asText()).isEqualTo(subject);
        assertThat(m.get("body").asText()).isEqualTo(body);
    }

    @Test
    void aSenderRunTheCallerCannotSeeIsNotFound() {
        String to = api.createRun("to");
        Api stranger = server.newTenant("sender-" + UUID.randomUUID());
        String theirs = stranger.createRun("theirs");
        for (String sender : List.of(theirs, UUID.randomUUID().toString(), "not-a-run-id")) {
            assertProblem(send(api, List.of(to), "s", "b", sender), 404, "sender_run_id");
        }
        assertThat(api.get("/agent/messages/" + to).json()).isEmpty();
        assertThat(newMessageEvents(to)).isEmpty();
    }

    @Test
    void aTerminalRecipientRefusesTheWholeMessage() {
        String sender = api.createRun("sender");
        String live = api.createRun("live");
        String other = api.createRun("other");
        String done = api.createRun("done");
        assertThat(api.post("/agent/runs/" + done + "/cancel", (String) null).status()).isEqualTo(200);
        assertThat(api.get("/agent/runs/" + done).json().get("state").asText()).isEqualTo("CANCELLED");

        Api.Reply last = send(api, List.of(live, other, done), "s", "b", sender);
        assertProblem(last, 422, "to[2]");
        Api.Reply first = send(api, List.of(done, live), "s", "b", sender);
        assertProblem(first, 422, "to[0]");
        for (String run : List.of(live, other, done)) {
            assertThat(api.get("/agent/messages/" + run).json()).as("nothing half-written for " + run).isEmpty();
            assertThat(newMessageEvents(run)).as("no event for " + run).isEmpty();
        }
        assertThat(send(api, List.of(live, other), "s", "b", sender).status()).as("the live ones still receive")
                .isEqualTo(200);
    }

    @Test
    void aRecipientThatEndsWhileAMessageIsBeingSentGetsNothing() throws Exception {
        String sender = api.createRun("sender");
        String live = api.createRun("live");
        String ending = api.createRun("ending");
        Database db = server.server().database();
        EventLog log = new EventLog(db, new EventBus());
        CountDownLatch ended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // another node cancels the recipient and has not committed yet when the send arrives
        Races.Attempt<Integer> cancel = Races.start(() -> db.write(h -> {
            int changed = h.createUpdate("UPDATE runs SET state = 'CANCELLED' WHERE id = :id AND state = 'QUEUED'")
                    .bind("id", ending).execute();
            log.append(h, ending, "run_cancelled", null, null, Instant.now());
            ended.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return changed;
        }));
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        Races.Attempt<Api.Reply> sending = Races.start(() -> send(api, List.of(live, ending), "s", "b", sender));
        Races.awaitBlocked(server, sending);
        release.countDown();
        assertThat(cancel.result().get(30, TimeUnit.SECONDS)).isEqualTo(1);

        assertProblem(sending.result().get(30, TimeUnit.SECONDS), 422, "to[1]");
        assertThat(api.get("/agent/messages/" + ending).json()).isEmpty();
        assertThat(api.get("/agent/messages/" + live).json()).isEmpty();
        assertThat(newMessageEvents(live)).isEmpty();
    }

    @Test
    void foreignRunsAndMessagesAreNotFound() {
        Api stranger = server.newTenant("msg-" + UUID.randomUUID());
        String mine = api.createRun("mine");
        String theirs = stranger.createRun("theirs");
        String id = sendOne(api, mine, "s", "secret", mine);

        assertProblem(send(stranger, List.of(theirs), "s", "b", mine), 404, "sender_run_id");
        assertProblem(send(stranger, List.of(theirs, mine), "s", "b", theirs), 404, "to[1]");
        assertThat(stranger.get("/agent/messages/" + theirs).json()).as("nothing reached their own run").isEmpty();
        assertProblem(stranger.get("/agent/messages/" + mine), 404, "runId");
        assertProblem(stranger.post("/agent/messages/" + id + "/read", (String) null), 404, "messageId");
        assertProblem(stranger.post("/agent/messages/" + id + "/delivered", (String) null), 404, "messageId");
        for (String unknown : List.of(UUID.randomUUID().toString(), "not-a-message-id")) {
            assertProblem(api.post("/agent/messages/" + unknown + "/read", (String) null), 404, "messageId");
            assertProblem(api.post("/agent/messages/" + unknown + "/delivered", (String) null), 404, "messageId");
        }
        assertProblem(api.get("/agent/messages/" + UUID.randomUUID()), 404, "runId");
        JsonNode header = api.get("/agent/messages/" + mine).json().get(0);
        assertThat(header.get("read_at").isNull()).as("the stranger's attempts changed nothing").isTrue();
        assertThat(header.get("delivered_at").isNull()).isTrue();
        assertThat(stranger.get("/agent/events?run_ids=" + theirs).json().findValuesAsText("event_type"))
                .containsExactly("run_queued");
    }
}
