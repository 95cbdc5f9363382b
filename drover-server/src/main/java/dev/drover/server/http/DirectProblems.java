package dev.drover.server.http;

import dev.drover.api.PlatformErrorCode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web server's answers to requests it refuses before routing (a malformed request line or {@code %} escape,
 * a URI or headers too long, a body over the size limit, an unknown {@code Content-Encoding}) as problem+json
 * with the web server's status, like every other error. They are the client's fault, so they are logged at
 * DEBUG: unauthenticated clients must not be able to fill the log. Helidon's 5xx here would be a bug and is
 * logged at ERROR.
 */
public final class DirectProblems implements DirectHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DirectProblems.class);
    private final Problems problems;

    public DirectProblems(Problems problems) {
        this.problems = problems;
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
            ServerResponseHeaders headers, Throwable thrown, System.Logger ignored) {
        // Helidon marks messages that may echo request bytes as unsafe: those are not sent back
        boolean safe = !(thrown instanceof RequestException re) || re.safeMessage();
        if (status.code() >= 500) {
            LOG.error("the web server failed on {} {}", request.method(), JsonBodies.shorten(request.path()), thrown);
        } else {
            LOG.debug("refused {} {}: {} {}", request.method(), JsonBodies.shorten(request.path()), status.code(),
                    thrown.getMessage());
        }
        return handle(request, eventType, status, headers, safe ? thrown.getMessage() : null);
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
            ServerResponseHeaders headers, String message) {
        ApiException problem = problem(status, message);
        headers.set(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(eventType.keepAlive())
                .entity(JsonBodies.write(problems.problem(problem, JsonBodies.shorten(request.path()))))
                .build();
    }

    /** The part of the request at fault, named first as in every other problem. */
    static ApiException problem(Status status, String message) {
        int code = status.code();
        String said = message == null || message.isBlank() ? "" : ": " + JsonBodies.shorten(message);
        String detail = switch (code) {
            case 413 -> "body: larger than this server accepts" + said;
            case 414 -> "path: the request URI is too long" + said;
            case 431 -> "headers: the request headers are too large" + said;
            case 415 -> "Content-Encoding: not supported" + said;
            case 505 -> "request: HTTP version not supported" + said;
            default -> "request: malformed request" + said;
        };
        PlatformErrorCode errorCode = code >= 500 ? PlatformErrorCode.INTERNAL_ERROR
                : code == 403 ? PlatformErrorCode.NOT_AUTHORIZED : PlatformErrorCode.INVALID_REQUEST;
        return new ApiException(code, errorCode, detail, code >= 500);
    }
}
