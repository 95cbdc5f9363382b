package dev.drover.server.artifacts;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.drover.api.ArtifactResponse;
import dev.drover.api.ArtifactType;
import dev.drover.api.ArtifactUpload;
import dev.drover.server.auth.Principal;
import dev.drover.server.blobs.BlobStore;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.auth.UrlSigner;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.RunLinks;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.WorkerReport;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Artifacts of runs: recorded by the worker holding the run (bytes to the blob store first, then one transaction
 * with the row and its {@code artifact_created} event), read back inline (plans) or through signed, expiring
 * download URLs (files, screenshots).
 */
public final class Artifacts {
    /** The {@code data_json} column: the artifact's type-specific fields. */
    private static final TypeReference<Map<String, Object>> DATA = new TypeReference<>() {};

    static final int MAX_BYTES = 25 * 1024 * 1024;

    private final Database db;
    private final EventLog events;
    private final Runs runs;
    private final BlobStore blobs;
    private final UrlSigner signer;
    private final Supplier<String> publicUrl;
    private final Clock clock;

    public Artifacts(Database db, EventLog events, Runs runs, BlobStore blobs, UrlSigner signer,
            Supplier<String> publicUrl, Clock clock) {
        this.db = db;
        this.events = events;
        this.runs = runs;
        this.blobs = blobs;
        this.signer = signer;
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** A stored artifact's bytes and type, for the signed download. */
    public record Download(byte[] bytes, String mimeType, String filename) {}

    public String record(String workerId, String runId, ArtifactUpload a) {
        return record(WorkerReport.of(workerId), runId, a);
    }

    /** Records as {@link #record(String, String, ArtifactUpload)}; a retried report answers the first artifact's uid. */
    public String record(WorkerReport report, String runId, ArtifactUpload a) {
        if (a.artifactType() == null) {
            throw ApiException.badRequest("artifact_type", "one of FILE, PLAN, PULL_REQUEST, SCREENSHOT");
        }
        String id = Ids.uuid();
        Map<String, Object> data = new LinkedHashMap<>();
        String blobKey = null;
        Long size = null;
        String mime = null;
        String content = null;
        switch (a.artifactType()) {
            case FILE, SCREENSHOT -> {
                if (a.data() == null) {
                    throw ApiException.badRequest("data", "base64 bytes are required");
                }
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(a.data());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("data", "is not valid base64");
                }
                if (bytes.length > MAX_BYTES) {
                    throw ApiException.badRequest("data", "an artifact is at most " + MAX_BYTES + " bytes");
                }
                mime = a.mimeType() == null || a.mimeType().isBlank() ? "application/octet-stream" : a.mimeType();
                if (a.artifactType() == ArtifactType.SCREENSHOT && !mime.startsWith("image/")) {
                    throw ApiException.badRequest("mime_type", "a screenshot is an image/* type");
                }
                data.put("artifact_uid", id);
                if (a.artifactType() == ArtifactType.FILE) {
                    if (a.filepath() == null || a.filepath().isBlank() || a.filepath().length() > 1024) {
                        throw ApiException.badRequest("filepath", "1 to 1024 characters");
                    }
                    data.put("filepath", a.filepath());
                    data.put("filename", a.filepath().substring(a.filepath().lastIndexOf('/') + 1));
                    data.put("size_bytes", (long) bytes.length);
                }
                data.put("mime_type", mime);
                if (a.description() != null) {
                    data.put("description", a.description());
                }
                size = (long) bytes.length;
                blobKey = blobs.put(bytes); // before the transaction: a failed insert leaves garbage, not a dangling row
            }
            case PLAN -> {
                if (a.content() == null) {
                    throw ApiException.badRequest("content", "a plan needs its markdown content");
                }
                data.put("artifact_uid", id);
                data.put("document_uid", id);
                if (a.title() != null) {
                    data.put("title", a.title());
                }
                content = a.content();
                mime = "text/markdown";
            }
            case PULL_REQUEST -> {
                if (a.url() == null || !isHttpUrl(a.url())) {
                    throw ApiException.badRequest("url", "the pull request's http(s) URL is required");
                }
                if (a.branch() == null || a.branch().isBlank()) {
                    throw ApiException.badRequest("branch", "is required");
                }
                dev.drover.server.http.Text.maxChars("url", a.url(), 2048);
                dev.drover.server.http.Text.maxChars("branch", a.branch(), 255);
                data.put("url", a.url());
                data.put("branch", a.branch());
                // Drover's additions: what the pull request is called and which repository it is in
                if (a.title() != null) {
                    dev.drover.server.http.Text.maxChars("title", a.title(), 1024);
                    data.put("title", a.title());
                }
                if (a.repository() != null) {
                    if (!a.repository().matches("[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")) {
                        throw ApiException.badRequest("repository", "owner/repo");
                    }
                    data.put("repository", a.repository());
                }
            }
        }
        String key = blobKey;
        Long bytes = size;
        String type = mime;
        String markdown = content;
        return db.write(h -> {
            Optional<String> earlier = report.replay(h, runId);
            if (earlier.isPresent()) {
                return earlier.get(); // the first upload's uid; this one's blob is unreferenced garbage
            }
            report.requireHolder(h, runId);
            if (a.artifactType() == ArtifactType.PULL_REQUEST) {
                // one artifact per pull request: the agent may have reported it before the worker's delivery did
                Optional<String> same = pullRequest(h, runId, a.url());
                if (same.isPresent()) {
                    return same.get();
                }
            }
            Instant now = clock.instant();
            h.createUpdate("""
                            INSERT INTO artifacts (id, run_id, artifact_type, data_json, created_at, blob_key, content,
                                size_bytes, mime_type)
                            VALUES (:id, :run, :type, :data, :now, :blob, :content, :size, :mime)""")
                    .bind("id", id).bind("run", runId).bind("type", a.artifactType().name()).bind("data", JsonColumns.write(data))
                    .bind("now", Times.micros(now)).bind("blob", key).bind("content", markdown).bind("size", bytes)
                    .bind("mime", type).execute();
            RunLinks.artifactRecorded(h, runId);
            report.remember(h, runId, id, now);
            events.append(h, runId, "artifact_created", id, null, now);
            return id;
        });
    }

    private static Optional<String> pullRequest(Handle h, String runId, String url) {
        return h.createQuery("SELECT id, data_json FROM artifacts WHERE run_id = :r AND artifact_type = 'PULL_REQUEST'")
                .bind("r", runId)
                .map((rs, ctx) -> url.equals(JsonColumns.read(rs.getString(2), DATA).get("url")) ? rs.getString(1) : null)
                .list().stream().filter(java.util.Objects::nonNull).findFirst();
    }

    public ArtifactResponse get(Principal caller, String uid) {
        Row row = find(uid).filter(r -> runs.canSee(caller, r.runId()))
                .orElseThrow(() -> ApiException.notFound("artifactUid", "artifact"));
        Map<String, Object> data = new LinkedHashMap<>();
        switch (row.type()) {
            case FILE, SCREENSHOT -> {
                UrlSigner.Signed signed = signer.sign(publicUrl.get(), downloadPath(uid), UrlSigner.DEFAULT_TTL);
                data.put("download_url", signed.url());
                data.put("expires_at", signed.expiresAt().toString());
                data.put("content_type", row.mimeType());
                if (row.type() == ArtifactType.FILE) {
                    data.put("filepath", row.data().get("filepath"));
                    data.put("filename", row.data().get("filename"));
                    data.put("size_bytes", row.size());
                }
                if (row.data().get("description") != null) {
                    data.put("description", row.data().get("description"));
                }
            }
            case PLAN -> {
                data.put("document_uid", row.data().get("document_uid"));
                data.put("notebook_uid", row.data().get("document_uid"));
                if (row.data().get("title") != null) {
                    data.put("title", row.data().get("title"));
                }
                data.put("content", row.content());
                data.put("content_type", "text/markdown");
            }
            case PULL_REQUEST -> throw ApiException.notFound("artifactUid", "downloadable artifact");
        }
        return new ArtifactResponse(uid, row.type(), Times.instant(row.createdAt()), data);
    }

    /** The bytes behind a signed download URL (checked by the caller). */
    public Optional<Download> download(String uid) {
        return find(uid).filter(r -> r.blobKey() != null).map(r -> new Download(blobs.read(r.blobKey()), r.mimeType(),
                r.data().get("filename") instanceof String f ? f : r.id()));
    }

    public static String downloadPath(String uid) {
        return "/files/artifacts/" + uid;
    }

    private record Row(String id, String runId, ArtifactType type, Map<String, Object> data, long createdAt,
            String blobKey, String content, Long size, String mimeType) {}

    private Optional<Row> find(String uid) {
        if (!Ids.isUuid(uid)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT id, run_id, artifact_type, data_json, created_at, blob_key, content, size_bytes, mime_type
                        FROM artifacts WHERE id = :id""")
                .bind("id", uid)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), ArtifactType.valueOf(rs.getString(3)),
                        JsonColumns.read(rs.getString(4), DATA), rs.getLong(5), rs.getString(6), rs.getString(7),
                        dev.drover.server.store.Rows.nullableLong(rs, 8), rs.getString(9)))
                .findOne());
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = new URI(s);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
