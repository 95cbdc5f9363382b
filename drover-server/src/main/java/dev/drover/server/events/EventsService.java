package dev.drover.server.events;

import dev.drover.api.ReportEventRequest;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RunEvent;
import dev.drover.api.RunState;
import dev.drover.server.auth.Principal;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.eventlog.EventSubscription;
import dev.drover.server.eventlog.EventTail;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.Text;
import dev.drover.server.http.QueryParams;
import dev.drover.server.auth.RequestContext;
import dev.drover.server.runs.RunTransitions;
import dev.drover.server.runs.Runs;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** {@code /agent/events}: report a lifecycle event, poll (optionally long-poll) and stream. */
public final class EventsService implements HttpService {
    static final int MAX_RUN_IDS = 100;
    static final int MAX_WAIT_SECONDS = 60;
    static final int STREAM_BATCH = 500;
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final Runs runs;
    private final EventLog log;
    private final EventTail tail;
    private final EncodedEvents encoded = new EncodedEvents(1_024);
    private final RunOwners owners = new RunOwners(65_536);

    public EventsService(Runs runs, EventLog log, EventTail tail) {
        this.runs = runs;
        this.log = log;
        this.tail = tail;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/events", this::poll)
                .get("/agent/events/stream", this::stream)
                .post("/agent/events/{runId}", this::report);
    }

    private void report(ServerRequest req, ServerResponse res) {
        ReportEventRequest body = JsonBodies.read(req, ReportEventRequest.class);
        Text.required("event_type", body.eventType());
        Text.notBlankIfPresent("execution_id", body.executionId());
        Text.notBlankIfPresent("ref_id", body.refId());
        RunEvent event = runs.report(RequestContext.principal(req), req.path().pathParameters().get("runId"),
                body.eventType(), body.executionId(), body.refId(), body.statusMessage());
        JsonBodies.send(res, new ReportEventResponse(event.sequence()));
    }

    /** The run ids of a poll or stream, before they are checked: at least one, at most {@link #MAX_RUN_IDS}. */
    static List<String> runIds(QueryParams q) {
        List<String> ids = q.strings("run_ids").stream().distinct().toList();
        if (ids.isEmpty()) {
            throw ApiException.badRequest("run_ids", "at least one run id is required");
        }
        if (ids.size() > MAX_RUN_IDS) {
            throw ApiException.badRequest("run_ids", "at most " + MAX_RUN_IDS + " run ids per request");
        }
        return ids;
    }

    /** Each run's state, checked against what the caller may see (foreign ids are 404). */
    private Map<String, RunState> states(ServerRequest req, List<String> ids) {
        Principal caller = RequestContext.principal(req);
        Map<String, RunState> states = new HashMap<>();
        for (String id : ids) {
            Runs.RunView run = runs.view(caller, id, "run_ids");
            owners.remember(run.id(), run.ownerId());
            states.put(id, run.state());
        }
        return states;
    }

    /**
     * Checks that the caller may see every run (foreign ids are 404), from the remembered owners when they answer:
     * a long-poll is asked again after each event, and re-reading its runs each time would be a database read per
     * watcher per event.
     */
    private void checkVisible(ServerRequest req, List<String> ids) {
        if (!owners.seesAll(RequestContext.principal(req), ids)) {
            states(req, ids);
        }
    }

    /**
     * Server-Sent Events: every event of the watched runs after {@code since} (or the {@code Last-Event-ID} a
     * reconnecting client sends), then live ones as they commit. Each SSE event's id is the sequence, so a
     * reconnect resumes exactly where the client left off. A comment every 15 s keeps proxies from closing an
     * idle stream. With {@code until_terminal=true} the stream ends once every watched run has finished.
     *
     * <p>Live events come from the node's {@link EventTail}, not from a read of the log per stream. The stream
     * subscribes before it reads the runs' states, so no event after the states were read can slip past it.
     */
    private void stream(ServerRequest req, ServerResponse res) throws InterruptedException {
        QueryParams q = new QueryParams(req);
        List<String> ids = runIds(q);
        long since = req.headers().first(HeaderNames.create("Last-Event-ID"))
                .map(v -> {
                    try {
                        return Long.parseLong(v.trim());
                    } catch (NumberFormatException e) {
                        throw ApiException.badRequest("Last-Event-ID", "must be an event sequence number");
                    }
                })
                .orElseGet(() -> q.longAtLeast("since", 0, 0));
        boolean untilTerminal = q.bool("until_terminal").orElse(false);
        try (EventSubscription sub = tail.subscribe(Set.copyOf(ids), since)) {
            // states are read after subscribing: a run that moves on after this read has its event queued for us
            Map<String, RunState> states = states(req, ids);
            if (untilTerminal) {
                // the states may be newer than this node's tail (a commit it has not heard of yet): the stream decides
                // on its events, so it has them all up to the states it read before it may end
                tail.catchUpTo(log.head());
            }
            try (SseSink sink = res.sink(SseSink.TYPE)) {
                boolean mayFinish = untilTerminal;
                long lastSent = System.nanoTime();
                while (!tail.isClosed()) {
                    Duration quiet = Duration.ofNanos(Math.max(0, KEEP_ALIVE.toNanos() - (System.nanoTime() - lastSent)));
                    List<RunEvent> events = sub.next(STREAM_BATCH, mayFinish ? Duration.ZERO : quiet);
                    if (events.isEmpty()) {
                        // caught up with the tail: the last lifecycle event sent for each run is its state now
                        if (mayFinish && states.values().stream().allMatch(RunState::isTerminal)) {
                            return;
                        }
                        mayFinish = false;
                        if (System.nanoTime() - lastSent >= KEEP_ALIVE.toNanos()) {
                            sink.emit(SseEvent.builder().comment("keep-alive").build());
                            lastSent = System.nanoTime();
                        }
                        continue;
                    }
                    for (RunEvent e : events) {
                        sink.emit(SseEvent.builder().id(Long.toString(e.sequence())).name(e.eventType())
                                .data(encoded.json(e)).build());
                        RunState after = RunTransitions.stateAfter(e.eventType()).orElse(null);
                        if (after != null) {
                            states.put(e.runId(), after);
                            mayFinish = untilTerminal;
                        }
                    }
                    lastSent = System.nanoTime();
                }
            } catch (java.io.UncheckedIOException e) {
                // the client went away; leaving the loop closes the subscription
            }
        }
    }

    /**
     * A poll reads the log (what the caller just wrote is there, even before this node's tail has read it); with
     * {@code wait} and nothing to answer yet, it waits on the tail for the first events of its runs.
     */
    private void poll(ServerRequest req, ServerResponse res) throws InterruptedException {
        QueryParams q = new QueryParams(req);
        List<String> ids = runIds(q);
        checkVisible(req, ids);
        long since = q.longAtLeast("since", 0, 0);
        int limit = q.intInRange("limit", 1, 500, 100);
        int wait = q.intInRange("wait", 0, MAX_WAIT_SECONDS, 0);
        if (wait == 0) {
            JsonBodies.send(res, log.since(ids, since, limit));
            return;
        }
        try (EventSubscription sub = tail.subscribe(Set.copyOf(ids), since)) {
            JsonBodies.send(res, sub.next(limit, Duration.ofSeconds(wait)));
        }
    }

    /**
     * The JSON of recent events, so that an event watched by many streams is encoded once rather than once per
     * stream (every stream of a run is woken by the same event at the same moment). A fixed table indexed by
     * sequence: an entry is replaced by a later event and never grows; a miss just encodes again.
     */
    static final class EncodedEvents {
        private record Entry(long sequence, String json) {}

        private final AtomicReferenceArray<Entry> slots;

        EncodedEvents(int size) {
            this.slots = new AtomicReferenceArray<>(size);
        }

        String json(RunEvent e) {
            int slot = (int) Math.floorMod(e.sequence(), (long) slots.length());
            Entry hit = slots.get(slot);
            if (hit != null && hit.sequence() == e.sequence()) {
                return hit.json();
            }
            String json = new String(JsonBodies.write(e), StandardCharsets.UTF_8);
            slots.set(slot, new Entry(e.sequence(), json));
            return json;
        }
    }
}
