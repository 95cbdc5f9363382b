package dev.drover.server.events;

import dev.drover.api.ReportEventRequest;
import dev.drover.api.ReportEventResponse;
import dev.drover.api.RunEvent;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.QueryParams;
import dev.drover.server.http.RequestContext;
import dev.drover.server.runs.Runs;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.List;

/** {@code /agent/events}: report a lifecycle event, poll (optionally long-poll) and stream. */
public final class EventsService implements HttpService {
    static final int MAX_RUN_IDS = 100;
    static final int MAX_WAIT_SECONDS = 60;

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
                .post("/agent/events/{runId}", this::report);
    }

    private void report(ServerRequest req, ServerResponse res) {
        ReportEventRequest body = JsonBodies.read(req, ReportEventRequest.class);
        if (body.eventType() == null || body.eventType().isBlank()) {
            throw ApiException.badRequest("event_type", "is required");
        }
        RunEvent event = runs.report(RequestContext.principal(req), req.path().pathParameters().get("runId"),
                body.eventType(), body.executionId(), body.refId());
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
            if (!events.isEmpty() || left <= 0) {
                JsonBodies.send(res, events);
                return;
            }
            bus.awaitAfter(Math.max(seen, since), Duration.ofNanos(left));
        }
    }
}
