package dev.drover.server.transcripts;

import dev.drover.server.auth.UrlSigner;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.auth.RequestContext;
import dev.drover.server.runs.Runs;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Supplier;

/** Transcripts and conversations: inline, or as a signed, expiring download. */
public final class TranscriptsService implements HttpService {
    private final Transcripts transcripts;
    private final Runs runs;
    private final UrlSigner signer;
    private final Supplier<String> publicUrl;

    public TranscriptsService(Transcripts transcripts, Runs runs, UrlSigner signer, Supplier<String> publicUrl) {
        this.transcripts = transcripts;
        this.runs = runs;
        this.signer = signer;
        this.publicUrl = publicUrl;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agent/runs/{runId}/conversation", this::conversationOfRun)
                .get("/agent/runs/{runId}/transcript", this::transcript)
                .get("/agent/conversations/{conversation_id}", this::conversation);
    }

    private void conversationOfRun(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, transcripts.ofRun(RequestContext.principal(req), req.path().pathParameters().get("runId")));
    }

    private void conversation(ServerRequest req, ServerResponse res) {
        JsonBodies.send(res, transcripts.ofConversation(RequestContext.principal(req),
                req.path().pathParameters().get("conversation_id")));
    }

    /** Where {@code FilesService} serves a run's transcript to whoever holds a URL signed for it. */
    public static String filePath(String runId) {
        return "/files/transcripts/" + runId;
    }

    /** 302 to a signed URL served by {@code FilesService}, valid for 15 minutes. */
    private void transcript(ServerRequest req, ServerResponse res) {
        Runs.RunView run = transcripts.withTranscript(RequestContext.principal(req), req.path().pathParameters().get("runId"));
        UrlSigner.Signed signed = signer.sign(publicUrl.get(), filePath(run.id()), UrlSigner.DEFAULT_TTL);
        res.status(Status.FOUND_302).header(HeaderNames.LOCATION, signed.url()).send();
    }
}
