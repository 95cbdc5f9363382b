package dev.drover.server.integrations;

import dev.drover.server.periodic.Periodic;
import dev.drover.server.auth.Accounts;
import dev.drover.server.environments.Environments;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.runs.Runs;
import dev.drover.server.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;

/**
 * The repository-event integrations of one node, wired: the HTTP service, and the two passes that post comments
 * back (every node runs them; their writes are compare-and-sets and their claims SKIP LOCKED).
 */
public final class Integrations {
    private final IntegrationsService service;
    private final ForgeComments comments;
    private final InboundSettings settings;

    private Integrations(IntegrationsService service, ForgeComments comments, InboundSettings settings) {
        this.service = service;
        this.comments = comments;
        this.settings = settings;
    }

    /**
     * @param sender posts comments on the configured forge; null when forge access is not configured
     * @param noAccessReason what is recorded on comments not posted for want of access
     */
    public static Integrations of(Database db, Runs runs, Environments environments, Accounts accounts, EventLog events,
            InboundSettings settings, CommentSender sender, String noAccessReason, Clock clock, MeterRegistry metrics) {
        ForgeComments comments = new ForgeComments(db, runs, events, settings, sender, noAccessReason, clock, metrics);
        return new Integrations(new IntegrationsService(settings, new InboundRuns(db, runs, environments, accounts,
                comments, clock), metrics), comments, settings);
    }

    public IntegrationsService service() {
        return service;
    }

    /** The passes every node runs; not started. */
    public List<Periodic> passes() {
        return List.of(
                new Periodic("forge-comment-ends", settings.interval(), 500, comments::observeEnds),
                new Periodic("forge-comment-send", settings.interval(), ForgeComments.BATCH, comments::send));
    }
}
