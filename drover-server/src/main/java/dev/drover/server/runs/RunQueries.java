package dev.drover.server.runs;

import dev.drover.api.ArtifactItem;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.PageInfo;
import dev.drover.api.RunItem;
import dev.drover.server.auth.Principal;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.runs.Runs.RunView;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Reading runs for a caller: what it may see (its scope, and an agent's lane), one run, a run for another feature,
 * and the keyset listing of {@code GET /agent/runs}. A foreign or unknown id is the same 404 everywhere.
 */
final class RunQueries {
    private final Database db;
    private final RunRepository repo;
    private final RunMapping mapping;
    private final RunVersions versions;
    private final RunCache cache = new RunCache();

    RunQueries(Database db, RunRepository repo, RunMapping mapping, RunVersions versions) {
        this.db = db;
        this.repo = repo;
        this.mapping = mapping;
        this.versions = versions;
    }

    /**
     * The run if the caller can see it; a foreign or unknown id is the same 404. A worker key sees the runs leased
     * to its workers, whichever team owns them.
     */
    RunRow visible(Handle h, Principal caller, String runId, String field) {
        return seen(h, caller, runId).orElseThrow(() -> ApiException.notFound(field, "run"));
    }

    /** The run if the caller can see it; empty for a foreign, unknown or malformed id. */
    private Optional<RunRow> seen(Handle h, Principal caller, String runId) {
        if (!Ids.isUuid(runId)) {
            return Optional.empty();
        }
        if (caller.worker()) {
            // a worker key (never run-scoped, so no lane) sees its scope's runs and the runs leased to its workers:
            // the lease's holder is read with the run (every report of a worker comes here)
            return repo.findLeased(h, runId)
                    .filter(l -> caller.canSee(l.row().ownerId()) || caller.id().equals(l.workerPrincipalId()))
                    .map(RunRepository.Leased::row);
        }
        return repo.find(h, runId).filter(r -> caller.canSee(r.ownerId()) && inLane(h, caller, r));
    }

    /**
     * The lane of a run-scoped token (an agent): its own run, the runs below it (children it created, and theirs),
     * and the earlier runs of its own conversation (which its claim already gave it as history). Everything else
     * its creator sees is, to the agent, an unknown id — a compromised agent cannot read, cancel, report for or
     * read the inbox of its siblings. Other principals have no lane.
     */
    private static boolean inLane(Handle h, Principal caller, RunRow r) {
        String own = caller.runScope();
        if (own == null || own.equals(r.id())) {
            return true;
        }
        return h.createQuery("""
                        SELECT COUNT(*) FROM run_ancestors WHERE run_id = :r AND ancestor_id = :own""")
                .bind("r", r.id()).bind("own", own).mapTo(Long.class).one() > 0
                || h.createQuery("SELECT COUNT(*) FROM runs WHERE id = :own AND conversation_id = :c")
                        .bind("own", own).bind("c", r.conversationId()).mapTo(Long.class).one() > 0;
    }

    /**
     * A recipient of a message: what the caller sees — for an agent, every run its creator sees, not only its lane.
     * Messages are how agents coordinate (a child reports to its parent, peers tell each other where they are), and a
     * message is text for the recipient's agent to weigh, sent visibly as the agent's own run; reading inboxes,
     * acting on runs and reporting for them stay in the lane.
     */
    public RunView recipient(Principal caller, String runId, String field) {
        return db.readOne(h -> {
            if (caller.runScope() != null && Ids.isUuid(runId)) {
                Optional<RunRow> seen = repo.find(h, runId).filter(r -> caller.canSee(r.ownerId()));
                if (seen.isPresent()) {
                    return view(seen.get());
                }
            }
            return view(visible(h, caller, runId, field));
        });
    }

    static RunView view(RunRow r) {
        return new RunView(r.id(), r.ownerId(), r.state(), r.executionLocation(), r.conversationId(), r.sessionId());
    }


    /**
     * Inside a write transaction: refuses (404) unless {@code workerId} holds {@code runId}'s lease, so only the
     * worker executing a run adds to its transcript and artifacts.
     */
    public static void requireHeldBy(Handle h, String workerId, String runId) {
        long held = h.createQuery("""
                        SELECT COUNT(*) FROM runs WHERE id = :r AND worker_id = :w
                        AND state IN <held>""")
                .define("held", RunTransitions.HELD_SQL).bind("r", runId).bind("w", workerId).mapTo(Long.class).one();
        if (held == 0) {
            throw ApiException.notFound("runId", "run held by this worker");
        }
    }


    private List<ArtifactItem> artifactsOf(Handle h, RunRow row) {
        return row.hasArtifacts() ? repo.artifacts(h, List.of(row.id())).getOrDefault(row.id(), List.of()) : List.of();
    }

    /**
     * A run as the API shows it, read in the caller's transaction, for features that report runs outside any request
     * (webhooks); empty when there is no such run.
     */
    public Optional<RunItem> itemIn(Handle h, String runId) {
        return repo.find(h, runId).map(row -> mapping.item(row, artifactsOf(h, row)));
    }

    /**
     * {@code GET /agent/runs/{id}}. A caller whose visibility is its scope alone (not an agent's lane, not a worker's
     * lease) is answered from {@link RunCache} when the row's version, read after the request began, is the cached
     * one; otherwise the run is read, in one snapshot with its version, and cached.
     */
    public RunItem get(Principal caller, String runId) {
        if (caller.runScope() != null || caller.worker()) {
            return read(caller, runId);
        }
        return mapping.now(current(caller, runId).item());
    }

    /** {@link #get} as the JSON of the response: a hit of the cache is usually the bytes it answered last time. */
    public byte[] getJson(Principal caller, String runId) {
        if (caller.runScope() != null || caller.worker()) {
            return JsonBodies.write(read(caller, runId));
        }
        RunCache.Entry current = current(caller, runId);
        return current.json(mapping.now(current.item()));
    }

    /** An agent's lane and a worker's lease are decided by reading the database: not from the cache. */
    private RunItem read(Principal caller, String runId) {
        return db.readOne(h -> {
            RunRow row = visible(h, caller, runId, "runId");
            return mapping.item(row, artifactsOf(h, row));
        });
    }

    /** The run, from the cache when its row's version is still the cached one, else read and cached. */
    private RunCache.Entry current(Principal caller, String runId) {
        if (!Ids.isUuid(runId)) {
            throw ApiException.notFound("runId", "run");
        }
        RunVersions.Version version = versions.current(runId)
                .orElseThrow(() -> ApiException.notFound("runId", "run"));
        RunCache.Entry cached = cache.at(runId, version);
        if (cached == null) {
            cached = db.read(h -> repo.find(h, runId).map(row -> {
                RunCache.Entry e = new RunCache.Entry(mapping.item(row, artifactsOf(h, row)), row.ownerId(),
                        new RunVersions.Version(row.rowVersion(), row.creatorKind(), row.creatorName(),
                                row.creatorEmail()));
                cache.put(runId, e);
                return e;
            })).orElseThrow(() -> ApiException.notFound("runId", "run"));
        }
        if (!caller.canSee(cached.ownerId())) {
            throw ApiException.notFound("runId", "run");
        }
        return cached;
    }

    /** Whether the caller can see the run; for other features that take run ids. */
    public boolean canSee(Principal caller, String runId) {
        return db.readOne(h -> seen(h, caller, runId).isPresent());
    }

    /** Reads a run for another feature of the server, scoped to the caller. */
    public RunView view(Principal caller, String runId, String field) {
        return db.readOne(h -> {
            RunRow r = visible(h, caller, runId, field);
            return new RunView(r.id(), r.ownerId(), r.state(), r.executionLocation(), r.conversationId(), r.sessionId());
        });
    }

    /** The visible run owning a shared session, if any. */
    public Optional<RunView> bySession(Principal caller, String sessionId) {
        if (!Ids.isUuid(sessionId)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("SELECT id FROM runs WHERE session_id = :s").bind("s", sessionId)
                .mapTo(String.class).findOne()
                .flatMap(id -> repo.find(h, id))
                .filter(r -> caller.canSee(r.ownerId()) && inLane(h, caller, r))
                .map(r -> new RunView(r.id(), r.ownerId(), r.state(), r.executionLocation(), r.conversationId(),
                        r.sessionId())));
    }

    /** The newest run of a conversation, when the caller sees it (in its lane, for an agent). */
    public Optional<RunView> newestOfConversation(Principal caller, String conversationId) {
        if (!Ids.isUuid(conversationId)) {
            return Optional.empty();
        }
        return db.readOne(h -> h.createQuery("""
                        SELECT id FROM runs WHERE conversation_id = :c ORDER BY created_at DESC, id DESC LIMIT 1""")
                .bind("c", conversationId).mapTo(String.class).findOne()
                .flatMap(id -> repo.find(h, id))
                .filter(r -> caller.canSee(r.ownerId()) && inLane(h, caller, r))
                .map(RunQueries::view));
    }


    /**
     * Whose runs a listing reads: everything the caller sees, or with the SDK's active team (a user in several
     * teams) that team's runs and the caller's own. The SDK ignores the header for service accounts, which act as
     * their team; so does Drover. A team the caller is not in is 404, like any foreign id.
     */
    private static List<String> owners(Principal caller, String team) {
        if (team == null || caller.kind() == Principal.Kind.SERVICE_ACCOUNT) {
            return caller.ownerIds();
        }
        if (!caller.teamIds().contains(team)) {
            throw ApiException.notFound(RunsService.TEAM_HEADER, "team");
        }
        return List.of(caller.id(), team);
    }

    /** A page of the runs the caller may see, as {@code GET /agent/runs} and the dashboard's runs page list them. */
    public ListRunsResponse list(Principal caller, RunListQuery query) {
        return list(caller, query.filter, query.sort, query.descending, query.limit, query.cursor);
    }

    public ListRunsResponse list(Principal caller, RunFilter filter, RunSort sort, boolean descending, int limit,
            String rawCursor) {
        if (caller.runScope() != null && filter.ancestorRunId() == null) {
            filter = filter.withAncestor(caller.runScope()); // an agent's listing is of the runs below its own
        }
        String filterHash = filterHash(filter);
        ListCursor cursor = rawCursor == null ? null : ListCursor.decode(rawCursor, sort, descending, filterHash);
        RunFilter f = filter;
        return db.read(h -> {
            if (f.ancestorRunId() != null) {
                visible(h, caller, f.ancestorRunId(), "ancestor_run_id");
                if (caller.runScope() != null && !caller.runScope().equals(f.ancestorRunId()) && h.createQuery(
                                "SELECT COUNT(*) FROM run_ancestors WHERE run_id = :r AND ancestor_id = :own")
                        .bind("r", f.ancestorRunId()).bind("own", caller.runScope()).mapTo(Long.class).one() == 0) {
                    throw ApiException.notFound("ancestor_run_id", "run"); // only below its own run
                }
            }
            long snapshot = cursor != null ? cursor.snapshot() : repo.head(h);
            List<RunRepository.Positioned> rows = repo.page(h, owners(caller, f.team()), f, sort, descending, cursor,
                    snapshot, limit + 1);
            boolean more = rows.size() > limit;
            List<RunRepository.Positioned> page = more ? rows.subList(0, limit) : rows;
            Map<String, List<ArtifactItem>> artifacts = repo.artifacts(h,
                    page.stream().map(RunRepository.Positioned::row).filter(RunRow::hasArtifacts).map(RunRow::id).toList());
            List<RunItem> items = new ArrayList<>();
            for (RunRepository.Positioned p : page) {
                items.add(mapping.item(p.row(), artifacts.getOrDefault(p.row().id(), List.of())));
            }
            String next = null;
            if (more) {
                RunRepository.Positioned last = page.getLast();
                next = new ListCursor(sort.wire, descending, last.key(), last.row().id(), snapshot, filterHash).encode();
            }
            return new ListRunsResponse(items, new PageInfo(more, next));
        });
    }

    /** The first 8 bytes of the filter's SHA-256: a cursor is refused for another filter than its own. */
    private static String filterHash(RunFilter filter) {
        return Sha256.hex(JsonColumns.write(filter).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** A run's API shape and its attachments' references, read in the caller's transaction. */
    RunItem itemOf(Handle h, RunRow row) {
        return mapping.item(row, artifactsOf(h, row));
    }
}
