package dev.drover.server.events;

import dev.drover.api.ReportEventRequest;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RunEvent;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.Text;
import dev.drover.server.http.QueryParams;
import dev.drover.server.http.RequestContext;
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
import java.util.List;

/** {@code /agent/events}: report a lifecycle event, poll (optionally long-poll) and stream. */
public final class EventsService implements HttpService {
    static final int MAX_RUN_IDS = 100;
    static final int MAX_WAIT_SECONDS = 60;
    static final int STREAM_BATCH = 500;
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final Runs runs;
    private final EventLog log;
    private final EventBus bus;

    public EventsService(Runs runs, EventLog log, EventBus bus) {
        this.runs = runs;
        this.log = log;
        this.bus = bus;
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

    /** The run ids of a poll or stream, each checked against what the caller may see (foreign ids are 404). */
    List<String> watchedRuns(ServerRequest req, QueryParams q) {
        List<String> ids = q.strings("run_ids").stream().distinct().toList();
        if (ids.isEmpty()) {
            throw ApiException.badRequest("run_ids", "at least one run id is required");
        }
        if (ids.size() > MAX_RUN_IDS) {
            throw ApiException.badRequest("run_ids", "at most " + MAX_RUN_IDS + " run ids per request");
        }
        Principal caller = RequestContext.principal(req);
        for (String id : ids) {
            runs.view(caller, id, "run_ids");
        }
        return ids;
    }

    /**
     * Server-Sent Events: every event of the watched runs after {@code since} (or the {@code Last-Event-ID} a
     * reconnecting client sends), then live ones as they commit. Each SSE event's id is the sequence, so a
     * reconnect resumes exactly where the client left off. A comment every 15 s keeps proxies from closing an
     * idle stream. With {@code until_terminal=true} the stream ends once every watched run has finished.
     */
    private void stream(ServerRequest req, ServerResponse res) throws InterruptedException {
        QueryParams q = new QueryParams(req);
        List<String> ids = watchedRuns(req, q);
        Principal caller = RequestContext.principal(req);
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
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            boolean checkFinished = untilTerminal;
            long lastSent = System.nanoTime();
            while (!bus.isClosed()) {
                long seen = bus.latest();
                // States are read before events: a run seen finished here has its last event committed already,
                // so the read below includes it and the stream never ends one event short.
                boolean finished = checkFinished
                        && ids.stream().allMatch(id -> runs.view(caller, id, "run_ids").state().isTerminal());
                checkFinished = false;
                List<RunEvent> events = log.since(ids, since, STREAM_BATCH);
                for (RunEvent e : events) {
                    sink.emit(SseEvent.builder().id(Long.toString(e.sequence())).name(e.eventType())
                            .data(new String(JsonBodies.write(e), StandardCharsets.UTF_8)).build());
                    since = e.sequence();
                    checkFinished |= untilTerminal && e.eventType().startsWith("run_");
                    lastSent = System.nanoTime();
                }
                if (events.size() == STREAM_BATCH) {
                    checkFinished |= finished;
                    continue;
                }
                if (finished) {
                    return;
                }
                if (checkFinished) {
                    continue; // a run event just went out: look at the states again now, not after a keep-alive
                }
                bus.awaitAfter(Math.max(seen, since), KEEP_ALIVE);
                // events of other runs wake this loop too: the keep-alive is about this stream being quiet
                if (System.nanoTime() - lastSent >= KEEP_ALIVE.toNanos()) {
                    sink.emit(SseEvent.builder().comment("keep-alive").build());
                    lastSent = System.nanoTime();
                }
            }
        } catch (java.io.UncheckedIOException e) {
            // the client went away; nothing to clean up beyond leaving the loop
        }
    }

    private void poll(ServerRequest req, ServerResponse res) throws InterruptedException {
        QueryParams q = new QueryParams(req);
        List<String> ids = watchedRuns(req, q);
        long since = q.longAtLeast("since", 0, 0);
        int limit = q.intInRange("limit", 1, 500, 100);
        int wait = q.intInRange("wait", 0, MAX_WAIT_SECONDS, 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(wait).toNanos();
        while (true) {
            long seen = bus.latest();
            List<RunEvent> events = log.since(ids, since, limit);
            long left = deadline - System.nanoTime();
            if (!events.isEmpty() || left <= 0 || bus.isClosed()) {
                JsonBodies.send(res, events);
                return;
            }
            bus.awaitAfter(Math.max(seen, since), Duration.ofNanos(left));
        }
    }
}
