package dev.drover.server.runs;

import dev.drover.api.HandoffAttachments;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.auth.UrlSigner;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The files a run starts from, for {@code GET /agent/runs/{runId}/handoff/attachments} (the newer SDK's
 * {@code listHandoffAttachments}): in Drover every execution of a run, the first and each follow-up's, starts from
 * the run's input attachments (the files sent with its prompt), so those are what a harness outside Drover would
 * download before taking a turn. Each carries a signed link ({@code /files/attachments/{id}}) valid for
 * {@link UrlSigner#DEFAULT_TTL}, which needs no key — like every other download link the API hands out.
 */
public final class RunAttachments {
    private final Database db;
    private final Runs runs;
    private final BlobStore blobs;
    private final UrlSigner signer;
    private final Supplier<String> publicUrl;

    public RunAttachments(Database db, Runs runs, BlobStore blobs, UrlSigner signer, Supplier<String> publicUrl) {
        this.db = db;
        this.runs = runs;
        this.blobs = blobs;
        this.signer = signer;
        this.publicUrl = publicUrl;
    }

    public static String downloadPath(String attachmentId) {
        return "/files/attachments/" + attachmentId;
    }

    public HandoffAttachments list(Principal caller, String runId) {
        return db.readOne(h -> {
            RunRow run = runs.visible(h, caller, runId, "runId");
            String base = publicUrl.get();
            return new HandoffAttachments(h.createQuery("""
                            SELECT id, file_name, mime_type FROM run_attachments WHERE run_id = :r ORDER BY position""")
                    .bind("r", run.id())
                    .map((rs, ctx) -> new HandoffAttachments.Attachment(rs.getString(1), rs.getString(2),
                            signer.sign(base, downloadPath(rs.getString(1)), UrlSigner.DEFAULT_TTL).url(),
                            rs.getString(3)))
                    .list());
        });
    }

    /** An attachment's bytes, for a request whose signature was checked. */
    public record Download(String filename, String mimeType, byte[] bytes) {}

    public Optional<Download> download(String attachmentId) {
        if (!Ids.isUuid(attachmentId)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("SELECT file_name, mime_type, blob_key FROM run_attachments WHERE id = :id")
                        .bind("id", attachmentId)
                        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                        .findOne())
                .map(a -> new Download(a[0], a[1], blobs.read(a[2])));
    }
}
