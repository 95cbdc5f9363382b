package dev.drover.server.http;

import dev.drover.api.PlatformErrorCode;
import dev.drover.api.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes RFC 7807 problem documents; the one place that turns failures into responses. */
public final class Problems {
    public static final String MEDIA_TYPE = "application/problem+json";
    /**
     * The header the official SDKs read before anything else when deciding to retry: {@code true} or {@code false}
     * overrides their status rule (which would retry every 409, 429 and 5xx). Every problem carries it, from
     * {@link ApiException#retryable()}, so a 409 that will never succeed (a reused idempotency key, an illegal
     * transition, an environment in use) is not retried, and a lost race or an overloaded node is.
     */
    public static final io.helidon.http.HeaderName SHOULD_RETRY = HeaderNames.create("x-should-retry");
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    /** What a 503 asks a client to wait: the pool has already made the request wait its whole timeout. */
    static final long RETRY_AFTER_SECONDS = 1;

    private final Supplier<String> publicUrl;

    public Problems(Supplier<String> publicUrl) {
        this.publicUrl = publicUrl;
    }

    public static String title(PlatformErrorCode code) {
        String words = code.wire().replace('_', ' ');
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    public Problem problem(ApiException e, String instance) {
        String title = title(e.code());
        return new Problem(publicUrl.get() + "/docs/errors/" + e.code().wire(), title, e.status(), e.detail(), instance,
                title + ": " + e.detail(), e.retryable(), null);
    }

    public void send(ServerRequest req, ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return;
        }
        res.status(Status.create(e.status()));
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.header(SHOULD_RETRY, Boolean.toString(e.retryable()));
        res.send(JsonBodies.write(problem(e, req.path().absolute().path()))); // the whole path, prefix included
    }

    /**
     * The web server's own refusals (no route matched, a malformed request line, a body it will not read) are the
     * client's fault: answered with their status as problem+json, and not logged as bugs — unauthenticated clients
     * could otherwise flood the log with stack traces.
     */
    public void sendHttp(ServerRequest req, ServerResponse res, HttpException e) {
        int status = e.status().code();
        if (status >= 500) {
            sendUnexpected(req, res, e);
            return;
        }
        String method = req.prologue().method().text();
        String path = req.path().absolute().path();
        ApiException problem = switch (status) {
            case 404 -> new ApiException(404, PlatformErrorCode.RESOURCE_NOT_FOUND,
                    "path: no endpoint " + method + " " + path, false);
            case 405 -> new ApiException(405, PlatformErrorCode.INVALID_REQUEST,
                    "method: " + method + " is not allowed on " + path, false);
            case 401 -> ApiException.unauthenticated("Authorization: " + e.getMessage());
            case 403 -> ApiException.forbidden(e.getMessage());
            default -> new ApiException(status, PlatformErrorCode.INVALID_REQUEST, "request: " + e.getMessage());
        };
        LOG.debug("{} {}: {}", method, path, problem.detail());
        send(req, res, problem);
    }

    /**
     * Anything that is not an {@link ApiException} is a bug: logged with its stack, answered 500 retryable. Except
     * when the database is away ({@link #databaseAway}): not a bug, answered 503 with {@code Retry-After} so that
     * clients back off and retry, and logged in one line without a stack (under overload every request lands here).
     */
    public void sendUnexpected(ServerRequest req, ServerResponse res, Throwable t) {
        String away = databaseAway(t);
        if (away != null) {
            LOG.warn("{} {}: answered 503, {} ({})", req.prologue().method().text(), req.path().absolute().path(),
                    away, rootCause(t));
            if (!res.isSent()) {
                res.header(HeaderNames.RETRY_AFTER, Long.toString(RETRY_AFTER_SECONDS));
            }
            send(req, res, new ApiException(503, PlatformErrorCode.RESOURCE_UNAVAILABLE, away, true));
            return;
        }
        LOG.error("unhandled error on {} {}", req.prologue().method().text(), req.path().absolute().path(), t);
        send(req, res, new ApiException(500, PlatformErrorCode.INTERNAL_ERROR,
                "server: unexpected error (this is a bug; see the server log)", true));
    }

    /**
     * Why the database could not serve the request, as the 503's detail, or null when it is not that, whatever depth
     * the layers above wrapped the cause at:
     * <ul>
     *   <li>Hikari's "connection is not available, request timed out": no free connection within the pool's timeout
     *       (the pool is exhausted, or the database does not answer): an overloaded node;</li>
     *   <li>PostgreSQL's SQLSTATEs of a session that is gone: class 08 (the connection failed), 57P01–57P03 (the server
     *       shutting down, crashed, or not accepting connections yet) and 25P03 (the session sat in a transaction past
     *       {@code idle_in_transaction_session_timeout}: its node stopped mid-transaction, see Database). Its
     *       transaction was rolled back, unless the connection was lost during the commit itself.</li>
     * </ul>
     */
    static String databaseAway(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
            if (c instanceof java.sql.SQLTransientConnectionException) {
                return "database: no connection became free in time; the server is overloaded, retry shortly";
            }
            if (c instanceof java.sql.SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("25P03")) {
                    return "database: the connection to the database was lost during the request; retry shortly "
                            + "(a create with an Idempotency-Key is safe to retry)";
                }
            }
        }
        return null;
    }

    private static String rootCause(Throwable t) {
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && depth < 16; depth++) {
            root = root.getCause();
        }
        return root.toString();
    }
}
