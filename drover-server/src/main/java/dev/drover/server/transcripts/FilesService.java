package dev.drover.server.transcripts;

import dev.drover.api.PlatformErrorCode;
import dev.drover.server.files.UrlSigner;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /files/...}: downloads authorised by a signature instead of a key, so a link handed out by the API
 * works in a browser or a plain {@code curl} until it expires.
 */
public final class FilesService implements HttpService {
    private final UrlSigner signer;
    private final Transcripts transcripts;

    public FilesService(UrlSigner signer, Transcripts transcripts) {
        this.signer = signer;
        this.transcripts = transcripts;
    }

    static String transcriptPath(String runId) {
        return "/files/transcripts/" + runId;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/files/transcripts/{runId}", this::transcript);
    }

    private void transcript(ServerRequest req, ServerResponse res) {
        String runId = req.path().pathParameters().get("runId");
        String expires = req.query().first("expires").orElse(null);
        String signature = req.query().first("signature").orElse(null);
        if (!signer.verify(transcriptPath(runId), expires, signature)) {
            throw new ApiException(403, PlatformErrorCode.NOT_AUTHORIZED,
                    "signature: the link is invalid or has expired; ask the API for a new one", false);
        }
        JsonBodies.send(res, transcripts.ofRunUnchecked(runId));
    }
}
