package dev.drover.server.integrations;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunExecutionLocation;
import dev.drover.api.RunItem;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.Environments;
import dev.drover.server.environments.Environments.RepositoryHome;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the run a repository event asks for, through the same creation path as the API ({@link Runs#createIn}:
 * validation, limits, events, concurrency), in one transaction with the delivery's id (the replay key) and the
 * comments to post back. A delivery seen before starts nothing and answers with the run it started.
 */
final class InboundRuns {
    private static final Logger LOG = LoggerFactory.getLogger(InboundRuns.class);

    private final Database db;
    private final Runs runs;
    private final Environments environments;
    private final Accounts accounts;
    private final ForgeComments comments;
    private final Clock clock;

    InboundRuns(Database db, Runs runs, Environments environments, Accounts accounts, ForgeComments comments,
            Clock clock) {
        this.db = db;
        this.runs = runs;
        this.environments = environments;
        this.accounts = accounts;
        this.comments = comments;
        this.clock = clock;
    }

    /** What became of a trigger: a run started now, one started by an earlier copy of the delivery, or none. */
    record Outcome(String status, String runId, String reason) {
        static Outcome started(String runId) {
            return new Outcome("started", runId, null);
        }

        static Outcome replayed(String runId) {
            return new Outcome("replayed", runId, "delivery already received; it started run " + runId);
        }

        static Outcome ignored(String reason) {
            return new Outcome("ignored", null, reason);
        }
    }

    Outcome start(Trigger t) {
        Optional<String> earlier = earlier(t);
        if (earlier.isPresent()) {
            return Outcome.replayed(earlier.get());
        }
        Optional<RepositoryHome> found = environments.homeOf(t.owner(), t.repo());
        if (found.isEmpty()) {
            return Outcome.ignored("no environment lists " + t.project());
        }
        RepositoryHome home = found.get();
        // the run acts as the environment's creator, in the environment's scope: who set the repository up for
        // agents answers for the runs its events start (RunCreatorInfo shows them; the trigger is in metadata)
        Principal actor = accounts.principal(home.creatorId()).orElseThrow(() -> new ApiException(422,
                dev.drover.api.PlatformErrorCode.OPERATION_NOT_SUPPORTED,
                "environment: the creator of environment " + home.environmentId() + " no longer exists", false));
        AmbientAgentConfig config = new AmbientAgentConfig(null, null, null, home.environmentId(), null, null, null,
                null, null, null, null);
        RunAgentRequest request = new RunAgentRequest(TriggerPrompt.of(t), null, config, TriggerPrompt.title(t),
                "Team".equals(home.scope().type()), null, null, null, null, null, metadata(t));
        try {
            Runs.Prepared prepared = runs.prepare(actor, request); // outside the transaction, as for a schedule's tick
            String runId = db.write(h -> {
                String id = runs.createIn(h, actor, request, new Runs.Origin(t.forge().source,
                        RunExecutionLocation.REMOTE, null, home.scope()), prepared).runId();
                // the replay key, in the run's transaction: two copies of a delivery racing on two nodes both get
                // here, and the second one's insert fails on the primary key and takes its run away with it
                h.createUpdate("""
                                INSERT INTO forge_deliveries (forge, delivery_id, run_id, received_at)
                                VALUES (:forge, :delivery, :run, :now)""")
                        .bind("forge", t.forge().wire).bind("delivery", t.deliveryId()).bind("run", id)
                        .bind("now", Times.micros(clock.instant())).execute();
                RunItem run = runs.itemIn(h, id).orElseThrow();
                comments.enqueue(h, t, run);
                return id;
            });
            LOG.info("{} delivery {} ({} on {}#{} by {}) started run {}", t.forge().display, t.deliveryId(), t.why(),
                    t.project(), t.number(), t.user(), runId);
            return Outcome.started(runId);
        } catch (RuntimeException e) {
            if (db.dialect().isUniqueViolation(e)) {
                // another node (or request) took this delivery first: answer with its run
                return earlier(t).map(Outcome::replayed).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private Optional<String> earlier(Trigger t) {
        return db.readOne(h -> earlier(h, t));
    }

    private static Optional<String> earlier(Handle h, Trigger t) {
        return h.createQuery("SELECT run_id FROM forge_deliveries WHERE forge = :forge AND delivery_id = :delivery")
                .bind("forge", t.forge().wire).bind("delivery", t.deliveryId()).mapTo(String.class).findOne();
    }

    /** Where the run came from, shown on the run (RunItem.metadata); a value too long for metadata is left out. */
    private static Map<String, String> metadata(Trigger t) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "drover.forge", t.forge().wire);
        put(m, "drover.forge_project", t.project());
        put(m, "drover.forge_user", t.user());
        put(m, "drover.forge_trigger", t.why());
        put(m, "drover.forge_issue_url", t.issueUrl());
        put(m, "drover.forge_comment_url", t.commentUrl());
        put(m, "drover.forge_delivery", t.deliveryId());
        return m;
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null && !value.isEmpty() && value.indexOf('\0') < 0
                && value.getBytes(StandardCharsets.UTF_8).length <= 256) {
            m.put(key, value);
        }
    }
}
