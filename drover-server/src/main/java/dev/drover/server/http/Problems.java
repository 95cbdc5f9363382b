package dev.drover.server.http;

import dev.drover.api.PlatformErrorCode;
import dev.drover.api.Problem;
import io.helidon.http.HeaderNames;
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
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

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
        res.send(JsonBodies.write(problem(e, req.path().absolute().path()))); // the whole path, prefix included
    }

    /** Anything that is not an {@link ApiException} is a bug: logged with its stack, answered 500 retryable. */
    public void sendUnexpected(ServerRequest req, ServerResponse res, Throwable t) {
        LOG.error("unhandled error on {} {}", req.prologue().method().text(), req.path().absolute().path(), t);
        send(req, res, new ApiException(500, PlatformErrorCode.INTERNAL_ERROR,
                "server: unexpected error (this is a bug; see the server log)", true));
    }
}
