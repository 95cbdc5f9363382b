package dev.drover.server.auth;

import dev.drover.server.http.ApiException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The endpoints a run-scoped token (an agent, {@code drt_…}) may call at all. An agent is hostile code as far as
 * the platform is concerned; its token exists so that it can look at its own run and its children, create child
 * runs, send and read its own messages and list models — so that is all it can reach. Schedules, environments,
 * skills, keys, workers, session redirects and lifecycle reports are refused here with 403, whatever the creator
 * could do; which runs and messages the allowed endpoints act on is narrowed further by {@code Runs} and
 * {@code Messages} (the agent's lane: its run, the runs below it, its own inbox).
 */
public final class RunTokenLane {
    private record Route(String method, Pattern path) {}

    private static final String ID = "[^/]+";
    private static final List<Route> ALLOWED = List.of(
            route("GET", "/agent/runs"),
            route("POST", "/agent/runs"),        // child runs only (Runs.create)
            route("POST", "/agent/run"),
            route("GET", "/agent/runs/" + ID),
            route("POST", "/agent/runs/" + ID + "/cancel"),
            route("POST", "/agent/runs/" + ID + "/followups"), // the runs below its own only (Followups)
            route("GET", "/agent/runs/" + ID + "/handoff/attachments"),
            route("GET", "/agent/runs/" + ID + "/conversation"),
            route("GET", "/agent/runs/" + ID + "/transcript"),
            route("GET", "/agent/runs/" + ID + "/diff"),  // its own subtree's changes (Runs.view narrows)
            route("GET", "/agent/conversations/" + ID),
            route("GET", "/agent/events"),
            route("GET", "/agent/events/stream"),
            route("POST", "/agent/messages"),
            route("GET", "/agent/messages/" + ID),
            route("POST", "/agent/messages/" + ID + "/read"),
            route("POST", "/agent/messages/" + ID + "/delivered"),
            route("GET", "/agent/artifacts/" + ID),
            route("GET", "/agent/models"));

    private RunTokenLane() {}

    private static Route route(String method, String path) {
        return new Route(method, Pattern.compile(path));
    }

    /** Refuses (403) a request of a run-scoped token outside its lane; {@code path} is relative to the API base. */
    public static void check(Principal caller, String method, String path) {
        if (caller.runScope() == null) {
            return;
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (Route r : ALLOWED) {
            if (r.method().equals(method) && r.path().matcher(p).matches()) {
                return;
            }
        }
        throw ApiException.forbidden("Authorization: a run-scoped token cannot call " + method + " " + path
                + "; it acts only on its own run, the runs it created and its messages");
    }
}
