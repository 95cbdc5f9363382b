package dev.drover.forge;

import java.io.IOException;

/**
 * A forge call that did not succeed: the forge answered with a non-2xx status (and its message), or it could not be
 * reached ({@link #status()} 0). The message never holds the token.
 */
public final class ForgeException extends IOException {
    private final int status;
    private final String forgeMessage;

    public ForgeException(int status, String message, String forgeMessage, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.forgeMessage = forgeMessage;
    }

    /** The HTTP status the forge answered with; 0 when there was no answer (connection refused, timeout). */
    public int status() {
        return status;
    }

    /** What the forge said about it ({@code message}, {@code errors}, {@code error}); empty when nothing. */
    public String forgeMessage() {
        return forgeMessage;
    }

    /** Worth trying again later: rate limited (429), a server error (5xx), or no answer at all. */
    public boolean retryable() {
        return status == 0 || status == 429 || status >= 500;
    }
}
