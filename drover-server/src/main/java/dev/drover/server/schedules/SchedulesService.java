package dev.drover.server.schedules;

import dev.drover.api.CreateScheduledAgentRequest;
import dev.drover.api.DeleteScheduledAgentResponse;
import dev.drover.api.UpdateScheduledAgentRequest;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.http.UnsupportedFields;
import dev.drover.server.runs.RunRequests;
import dev.drover.server.auth.RequestContext;
import dev.drover.server.runs.RunsService;
import dev.drover.server.runs.WorkerPools;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code /agent/schedules}: create, list, get, update, delete, pause, resume. */
public final class SchedulesService implements HttpService {
    private final Schedules schedules;
    private final WorkerPools pools;

    public SchedulesService(Schedules schedules, WorkerPools pools) {
        this.schedules = schedules;
        this.pools = pools;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/agent/schedules", this::create)
                .get("/agent/schedules", this::list)
                .get("/agent/schedules/{scheduleId}", this::get)
                .put("/agent/schedules/{scheduleId}", this::update)
                .delete("/agent/schedules/{scheduleId}", this::delete)
                .post("/agent/schedules/{scheduleId}/pause", this::pause)
                .post("/agent/schedules/{scheduleId}/resume", this::resume);
    }

    private void create(ServerRequest req, ServerResponse res) {
        CreateScheduledAgentRequest body = JsonBodies.read(req, CreateScheduledAgentRequest.class,
                UnsupportedFields.refusing(RunRequests.unsupportedConfigFields("agent_config"), RunRequests.UNSUPPORTED));
        RunRequests.poolWarning("agent_config", body.agentConfig(), pools).ifPresent(w -> RunsService.warn(res, w));
        res.status(Status.CREATED_201);
        JsonBodies.send(res, schedules.create(RequestContext.principal(req), body));
    }

    private void list(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, schedules.list(RequestContext.principal(req)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, schedules.get(RequestContext.principal(req), id(req)));
    }

    private void update(ServerRequest req, ServerResponse res) {
        UpdateScheduledAgentRequest body = JsonBodies.read(req, UpdateScheduledAgentRequest.class,
                UnsupportedFields.refusing(RunRequests.unsupportedConfigFields("agent_config"), RunRequests.UNSUPPORTED));
        RunRequests.poolWarning("agent_config", body.agentConfig(), pools).ifPresent(w -> RunsService.warn(res, w));
        JsonBodies.send(res, schedules.update(RequestContext.principal(req), id(req), body));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        schedules.delete(RequestContext.principal(req), id(req));
        JsonBodies.send(res, new DeleteScheduledAgentResponse(true));
    }

    private void pause(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, schedules.pause(RequestContext.principal(req), id(req)));
    }

    private void resume(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, schedules.resume(RequestContext.principal(req), id(req)));
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("scheduleId");
    }
}
