package dev.drover.server.runs;

import dev.drover.api.FollowupRequest;
import dev.drover.api.FollowupResponse;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunState;
import dev.drover.server.auth.Principal;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Sha256;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * {@code POST /agent/runs/{runId}/followups}: another turn of a run, keeping its id, conversation and workspace.
 *
 * <p>A follow-up is stored as an inbox message of the run (kind {@code followup}), so an agent receives it the way
 * it receives any message. A run that has not ended gets the message only: its agent takes it at its next step (or
 * its first, when it has not started). A run that has ended is continued: the message is stored and the run goes
 * back to QUEUED for a new execution (a new {@code execution_id}; the old execution's reports stay refused), whose
 * agent starts from the conversation so far and answers the message. The run's row is locked first, so two
 * follow-ups racing on an ended run continue it once: the second finds it QUEUED and adds its message to the turn.
 */
public final class Followups {
    static final Set<String> MODES = Set.of("normal", "plan", "orchestrate");
    /** As large as a message between runs may be. */
    static final int MAX_MESSAGE_BYTES = 131072;

    private final Database db;
    private final Runs runs;
    private final RunRepository repo;
    private final EventLog events;
    private final Clock clock;

    public Followups(Database db, Runs runs, EventLog events, Clock clock) {
        this.db = db;
        this.runs = runs;
        this.repo = new RunRepository(db);
        this.events = events;
        this.clock = clock;
    }

    public FollowupResponse submit(Principal caller, String runId, FollowupRequest body, String requestedKey) {
        // the run first: a follow-up to a run the caller does not see is a 404 whatever its body says
        db.readOne(h -> runs.visible(h, caller, runId, "runId"));
        if (requestedKey != null && (requestedKey.isBlank() || requestedKey.length() > 255)) {
            throw ApiException.badRequest("Idempotency-Key", "must be 1 to 255 characters");
        }
        String message = Text.required("message", body.message());
        Text.maxBytes("message", message, MAX_MESSAGE_BYTES);
        String mode = body.mode() == null ? "normal" : body.mode();
        if (!MODES.contains(mode)) {
            throw ApiException.badRequest("mode", "unknown value \"" + mode + "\"; one of normal, orchestrate, plan");
        }
        if (body.attachments() != null && !body.attachments().isEmpty()) {
            throw ApiException.badRequest("attachments", "not supported by Drover (there is no attachment prepare "
                    + "endpoint); send files with a new run's attachments instead");
        }
        // an agent's keys live apart from its creator's, as for run creation
        String key = requestedKey == null || caller.runScope() == null ? requestedKey
                : caller.runScope() + "/" + requestedKey;
        String hash = key == null ? null : hash(runId, message, mode);
        if (key != null) {
            Optional<FollowupResponse> earlier = db.readOne(h -> replay(h, caller, key, hash));
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        try {
            return db.write(h -> {
                if (key != null) {
                    Optional<FollowupResponse> earlier = replay(h, caller, key, hash);
                    if (earlier.isPresent()) {
                        return earlier.get();
                    }
                }
                FollowupResponse reply = submitIn(h, caller, runId, message, mode);
                if (key != null) {
                    h.createUpdate("""
                                    INSERT INTO followup_keys (principal_id, key, request_hash, run_id, reply_json, created_at)
                                    VALUES (:p, :k, :hash, :run, :reply, :now)""")
                            .bind("p", caller.id()).bind("k", key).bind("hash", hash).bind("run", reply.runId())
                            .bind("reply", JsonColumns.write(reply)).bind("now", Times.micros(clock.instant()))
                            .execute();
                }
                return reply;
            });
        } catch (RuntimeException e) {
            if (key != null && db.dialect().isUniqueViolation(e)) {
                // the same key committed concurrently: answer as it was answered
                return db.readOne(h -> replay(h, caller, key, hash)).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private FollowupResponse submitIn(Handle h, Principal caller, String runId, String message, String mode) {
        RunRow seen = runs.visible(h, caller, runId, "runId");
        if (caller.runScope() != null && !below(h, seen.id(), caller.runScope())) {
            // an agent continues the runs it started (and theirs), as it may create them; never its own run (it is
            // the one executing it) nor the earlier runs of its conversation, which it may only read
            throw ApiException.forbidden("runId: an agent follows up only the runs below its own run ("
                    + caller.runScope() + ")");
        }
        // the run's row first (the lock order of every writer: runs, then the event counter); a concurrent follow-up
        // or end report waits here and then sees what this one did
        RunState state = RunState.valueOf(h.createQuery("SELECT state FROM runs WHERE id = :id" + db.dialect().lockRows())
                .bind("id", seen.id()).mapTo(String.class).one());
        RunRow run = repo.find(h, seen.id()).orElseThrow();
        if (state.isTerminal() && run.executionLocation() == RunExecutionLocation.LOCAL) {
            throw ApiException.unsupported("runId: a LOCAL run is executed by its client; a follow-up cannot start "
                    + "a new execution of it here");
        }
        Instant now = clock.instant();
        String id = Ids.uuid();
        h.createUpdate("""
                        INSERT INTO messages (id, recipient_id, sender_run_id, subject, body, sent_at, kind, mode,
                            sender_principal_id)
                        VALUES (:id, :to, :to, :subject, :body, :now, 'followup', :mode, :from)""")
                .bind("id", id).bind("to", run.id()).bind("subject", "Follow-up from " + caller.displayName())
                .bind("body", message).bind("now", Times.micros(now)).bind("mode", mode).bind("from", caller.id())
                .execute();
        if (state.isTerminal()) {
            runs.continueRun(h, run, id, "Continued by a follow-up from " + caller.displayName());
            return new FollowupResponse(id, FollowupResponse.HANDOFF_EXECUTION, run.id(), RunState.QUEUED);
        }
        events.append(h, run.id(), "new_message", id, null, now);
        String outcome = state == RunState.QUEUED || state == RunState.PENDING ? FollowupResponse.QUEUE_PENDING
                : FollowupResponse.LIVE_SESSION;
        return new FollowupResponse(id, outcome, run.id(), state);
    }

    private static boolean below(Handle h, String runId, String ancestor) {
        return h.createQuery("SELECT COUNT(*) FROM run_ancestors WHERE run_id = :r AND ancestor_id = :a")
                .bind("r", runId).bind("a", ancestor).mapTo(Long.class).one() > 0;
    }

    private static Optional<FollowupResponse> replay(Handle h, Principal caller, String key, String hash) {
        return h.createQuery("SELECT request_hash, reply_json FROM followup_keys WHERE principal_id = :p AND key = :k")
                .bind("p", caller.id()).bind("k", key)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                .findOne()
                .map(row -> {
                    if (!row[0].equals(hash)) {
                        throw ApiException.conflict("Idempotency-Key: already used for a different request", false);
                    }
                    return JsonColumns.read(row[1], FollowupResponse.class);
                });
    }

    private static String hash(String runId, String message, String mode) {
        // each part ends with a NUL, which cannot occur in them: the boundaries are unambiguous
        return Sha256.hex((runId + '\0' + mode + '\0' + message + '\0').getBytes(StandardCharsets.UTF_8));
    }
}
