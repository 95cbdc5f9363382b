package dev.drover.server.files;

import dev.drover.api.PlatformErrorCode;
import dev.drover.server.artifacts.Artifacts;
import dev.drover.server.auth.UrlSigner;
import dev.drover.server.runs.RunAttachments;
import dev.drover.server.transcripts.Transcripts;
import dev.drover.server.transcripts.TranscriptsService;
import io.helidon.http.HeaderNames;
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
    private final Artifacts artifacts;
    private final RunAttachments attachments;

    public FilesService(UrlSigner signer, Transcripts transcripts, Artifacts artifacts, RunAttachments attachments) {
        this.signer = signer;
        this.transcripts = transcripts;
        this.artifacts = artifacts;
        this.attachments = attachments;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/files/transcripts/{runId}", this::transcript)
                .get("/files/artifacts/{artifactUid}", this::artifact)
                .get("/files/attachments/{attachmentId}", this::attachment);
    }

    private void attachment(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("attachmentId");
        checkSignature(req, RunAttachments.downloadPath(id));
        RunAttachments.Download d = attachments.download(id)
                .orElseThrow(() -> ApiException.notFound("attachmentId", "attachment"));
        sendFile(res, d.mimeType(), d.filename(), d.bytes());
    }

    private void transcript(ServerRequest req, ServerResponse res) {
        String runId = req.path().pathParameters().get("runId");
        checkSignature(req, TranscriptsService.filePath(runId));
        JsonBodies.send(res, transcripts.ofRunUnchecked(runId));
    }

    private void artifact(ServerRequest req, ServerResponse res) {
        String uid = req.path().pathParameters().get("artifactUid");
        checkSignature(req, Artifacts.downloadPath(uid));
        Artifacts.Download d = artifacts.download(uid)
                .orElseThrow(() -> ApiException.notFound("artifactUid", "artifact"));
        sendFile(res, d.mimeType(), d.filename(), d.bytes());
    }

    /** A download, never rendered in the browser as the API's own page (the bytes are somebody's upload). */
    private static void sendFile(ServerResponse res, String mimeType, String filename, byte[] bytes) {
        res.header(HeaderNames.CONTENT_TYPE, mimeType);
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + filename.replace("\"", "") + "\"");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.send(bytes);
    }

    private void checkSignature(ServerRequest req, String path) {
        String expires = req.query().first("expires").orElse(null);
        String signature = req.query().first("signature").orElse(null);
        if (!signer.verify(path, expires, signature)) {
            throw new ApiException(403, PlatformErrorCode.NOT_AUTHORIZED,
                    "signature: the link is invalid or has expired; ask the API for a new one", false);
        }
    }
}
