package dev.drover.server.eventlog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the other nodes on the same PostgreSQL of this node's commits, with a {@code NOTIFY drover_events} sent after
 * them, on a thread of its own, never inside them.
 *
 * <p>Why not inside: PostgreSQL queues a transaction's notifications in commit order by taking one cluster-wide lock
 * before its commit and holding it until the commit is done ({@code PreCommit_Notify} in {@code async.c}), so
 * transactions that notify commit one at a time, on every node, whatever else they do; and the event log's writers
 * notified while holding the counter's lock, which made that lock's time longer still (docs/events.md, "Keeping the
 * counter short"). Sent afterwards, a notification is a transaction of its own that writes nothing.
 *
 * <p>Why one announcement covers many commits: sequences commit in order (the counter's lock), so once a sequence has
 * committed every smaller one has too, and "look again up to {@code s}" tells a listener of all of them. The thread
 * sends the highest sequence committed here when it wakes; commits that arrive while it sends are covered by the next
 * one. What a node's crash between a commit and its announcement loses is a wake-up, not an event: every node's
 * {@link EventTail} also reads the log on a short poll.
 */
public final class CommitAnnouncer implements AutoCloseable {
    /** The channel every node's {@link PostgresEventListener} listens on. */
    static final String CHANNEL = "drover_events";
    private static final Logger LOG = LoggerFactory.getLogger(CommitAnnouncer.class);
    private static final long RETRY_NANOS = 200_000_000L;

    private final DataSource dataSource;
    private final AtomicLong committed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private long announced;

    public CommitAnnouncer(DataSource dataSource, EventBus bus) {
        this.dataSource = dataSource;
        this.thread = Thread.ofPlatform().daemon().name("drover-pg-announce").unstarted(this::loop);
        bus.onLocalCommit(event -> committed(event.sequence()));
    }

    public CommitAnnouncer start() {
        thread.start();
        return this;
    }

    /** Called on the committing thread, after its commit. */
    private void committed(long sequence) {
        if (committed.accumulateAndGet(sequence, Math::max) == sequence) {
            LockSupport.unpark(thread);
        }
    }

    private void loop() {
        while (running || committed.get() > announced) {
            long next = committed.get();
            if (next <= announced) {
                LockSupport.park(this);
                continue;
            }
            try {
                announce(next);
                announced = next;
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return; // stopping with the database gone: the other nodes' tails poll the log
                }
                LOG.warn("could not announce event {} to other nodes; trying again: {}", next, e.toString());
                LockSupport.parkNanos(this, RETRY_NANOS);
            }
        }
    }

    private void announce(long sequence) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement notify = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            notify.setString(1, Long.toString(sequence));
            notify.execute();
        }
    }

    /** Sends what is still to be announced, then stops. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
