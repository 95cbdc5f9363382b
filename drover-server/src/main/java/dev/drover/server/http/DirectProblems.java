package dev.drover.server.http;

import dev.drover.api.PlatformErrorCode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import java.util.regex.Pattern;
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
        ApiException problem = problem(request, status, message);
        headers.set(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
        headers.set(Problems.SHOULD_RETRY, Boolean.toString(problem.retryable()));
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(eventType.keepAlive())
                .entity(JsonBodies.write(problems.problem(problem, JsonBodies.shorten(request.path()))))
                .build();
    }

    /**
     * The part of the request at fault, named first as in every other problem. Helidon gives no message for its
     * 400s (they could echo request bytes), so the part is read off what it did parse.
     */
    static ApiException problem(TransportRequest request, Status status, String message) {
        int code = status.code();
        String said = message == null || message.isBlank() ? "" : ": " + JsonBodies.shorten(message);
        String detail = switch (code) {
            case 413 -> "body: larger than this server accepts" + said;
            case 414 -> "path: the request URI is longer than this server accepts" + said;
            case 431 -> "headers: larger than this server accepts" + said;
            case 505 -> "request: HTTP version not supported" + said;
            case 400 -> badRequest(request) + said;
            default -> "request: refused" + said;
        };
        PlatformErrorCode errorCode = code >= 500 ? PlatformErrorCode.INTERNAL_ERROR
                : code == 403 ? PlatformErrorCode.NOT_AUTHORIZED : PlatformErrorCode.INVALID_REQUEST;
        return new ApiException(code, errorCode, detail);
    }

    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

    private static String badRequest(TransportRequest request) {
        String version = request.protocolVersion();
        if (!"HTTP/1.1".equals(version) && !"HTTP/1.0".equals(version)) {
            return "request: malformed request line";
        }
        String target = request.path();
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (BAD_ESCAPE.matcher(path).find()) {
            return "path: malformed percent-escape (% must be followed by two hexadecimal digits)";
        }
        if (query >= 0 && BAD_ESCAPE.matcher(target.substring(query)).find()) {
            return "query: malformed percent-escape (% must be followed by two hexadecimal digits)";
        }
        if (request.headers().size() == 0) {
            // Helidon stopped before its headers: in the query (not shown here) or in the headers themselves
            return "request: a malformed percent-escape in the query, or headers that are malformed or larger than "
                    + "this server accepts (16 KiB in all)";
        }
        if (request.headers().contains(HeaderNames.CONTENT_ENCODING)) {
            return "Content-Encoding: the body cannot be decoded with the encoding this header names";
        }
        return "request: malformed request";
    }
}
