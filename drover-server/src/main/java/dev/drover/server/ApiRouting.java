package dev.drover.server;

import dev.drover.server.auth.Authenticator;
import dev.drover.server.auth.RunTokenLane;
import dev.drover.server.http.ApiException;
import dev.drover.server.integrations.IntegrationsService;
import dev.drover.server.http.Problems;
import dev.drover.server.auth.RequestContext;
import dev.drover.server.http.Text;
import dev.drover.server.web.CookieAuth;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;

/**
 * The table of contents of Drover's HTTP surface. Everything under {@code /api/v1} needs a Bearer key; the
 * operational endpoints and the public pages do not. The same routing serves {@code drover serve} and tests.
 */
final class ApiRouting {
    static final String API = "/api/v1";

    /**
     * The two redirect checks the official SDK sends without an {@code Authorization} header: answered without one
     * too, and then as to a caller who sees nothing ({@code {}}), exactly as for an unknown id or another team's.
     */
    static final java.util.regex.Pattern PUBLIC_REDIRECT = java.util.regex.Pattern.compile(
            API + "/agent/(sessions|conversations)/[^/]+/redirect/?");

    private ApiRouting() {}

    /** Everything under {@code /api/v1}; the OpenAPI document must describe exactly these routes. */
    static List<HttpService> apiServices(ApiServices s) {
        return List.of(
                s.runs(),       // POST /agent/run(s), GET /agent/runs, GET /agent/runs/{id}, POST .../{id}/cancel|followups, GET .../{id}/handoff/attachments
                s.events(),     // GET /agent/events, GET /agent/events/stream, POST /agent/events/{runId}
                s.messages(),   // POST /agent/messages, GET /agent/messages/{runId}, POST .../{id}/read|delivered
                s.models(),     // GET /agent/models
                s.sessions(),   // GET /agent/sessions/{uuid}/redirect, GET /agent/conversations/{id}/redirect (keyless too)
                s.transcripts(), // GET /agent/runs/{id}/conversation|transcript, GET /agent/conversations/{id}
                s.artifacts(),  // GET /agent/artifacts/{uid}
                s.environments(), // GET/POST /agent/environments, GET/PUT/DELETE /agent/environments/{uid}
                s.skills(),     // GET /agent: skills as agents
                s.schedules(),  // POST/GET /agent/schedules, GET/PUT/DELETE /agent/schedules/{id}, POST .../{id}/pause|resume
                s.workers(),    // POST/GET /workers, POST /workers/{id}/claim|heartbeat, POST .../runs/{runId}/accept|transcript|artifacts|deliveries
                s.webhooks(),   // POST/GET /webhooks, GET/DELETE /webhooks/{id}, POST .../{id}/enable, GET .../{id}/deliveries, POST .../deliveries/{deliveryId}/redeliver
                s.deliveries(), // GET /agent/runs/{id}/diff
                s.secrets(),    // POST/GET /secrets, GET/PUT/DELETE /secrets/{uid}
                s.identities(), // POST/GET /agent/identities, GET/PUT/DELETE /agent/identities/{uid}
                s.integrations(), // POST /integrations/github/webhook, POST /integrations/gitlab/webhook (signed, no key)
                s.openApi());   // GET /openapi.json
    }

    /**
     * The two endpoints a forge calls: they cannot carry a Drover key, and are authenticated by the forge's signature
     * instead. Exactly these paths and method, so that nothing else under {@code /integrations/} is ever let through
     * unsigned.
     */
    private static boolean isForgeWebhook(Method method, String path) {
        return Method.POST.equals(method) && (path.equals(API + IntegrationsService.GITHUB_PATH)
                || path.equals(API + IntegrationsService.GITLAB_PATH));
    }

    static void configure(HttpRouting.Builder routing, ApiServices s, Authenticator auth, CookieAuth cookies,
            Problems problems, MeterRegistry metrics) {
        routing.addFilter((chain, req, res) -> {
            Timer.Sample sample = Timer.start(metrics);
            try {
                String path = req.path().path();
                // the text rule holds for ids in the path too: PostgreSQL cannot even compare a string with NUL
                Text.refuseNul("path", path);
                // a key in Authorization wins; without one, the dashboard's session cookie (CSRF-checked on writes)
                boolean hasKey = req.headers().contains(HeaderNames.AUTHORIZATION);
                boolean hasSession = !hasKey && CookieAuth.sessionCookie(req).isPresent();
                // /files/ is signed instead; the forges' webhooks carry the forge's signature, checked by their
                // service; the SDK's redirect checks come with neither key nor session and answer as to a caller who
                // sees nothing
                boolean keyless = isForgeWebhook(req.prologue().method(), path)
                        || !hasKey && !hasSession && req.prologue().method() == Method.GET
                                && PUBLIC_REDIRECT.matcher(path).matches();
                if (path.startsWith(API + "/") && !path.equals(API + "/openapi.json") && !keyless) {
                    var principal = hasSession ? cookies.authenticate(req) : auth.authenticate(req);
                    RunTokenLane.check(principal, req.prologue().method().text(), path.substring(API.length()));
                    RequestContext.setPrincipal(req, principal);
                }
                chain.proceed();
            } finally {
                sample.stop(metrics.timer("drover.http.requests", "method", req.prologue().method().text(),
                        "status", Integer.toString(res.status().code())));
            }
        });
        routing.error(ApiException.class, (req, res, e) -> problems.send(req, res, e))
                .error(io.helidon.http.HttpException.class, (req, res, e) -> problems.sendHttp(req, res, e))
                .error(Exception.class, (req, res, e) -> problems.sendUnexpected(req, res, e));

        // Operations and public pages
        routing.register("/", s.ops())
                .register("/", s.docs())           // GET /docs/errors/{code}
                .register("/", s.files())           // GET /files/transcripts/{runId}, /files/artifacts/{uid} (signed, no key)
                .register("/", s.signIn())          // POST /web/sign-in, POST /web/sign-out, GET /web/session
                .register("/", s.web());            // GET /: the dashboard (its pages, /sessions/{id} included, and assets)

        // The Oz Agent API
        for (HttpService service : apiServices(s)) {
            routing.register(API, service);
        }
        // Any other path, inside the API or not, is a problem+json 404 (Problems.sendHttp)
    }
}
