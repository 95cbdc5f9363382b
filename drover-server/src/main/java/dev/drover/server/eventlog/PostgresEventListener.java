package dev.drover.server.eventlog;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@code drover_events} channel so that waiters on this node hear of events committed
 * by any node (each node's {@link CommitAnnouncer} sends them). If the connection drops it reconnects; meanwhile
 * the periodic poll of {@link #head} keeps waiters from sleeping past new events (the fallback the design asks for).
 */
public final class PostgresEventListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresEventListener.class);
    private static final int POLL_MILLIS = 500;

    private final DataSource dataSource;
    private final EventBus bus;
    private final EventLog log;
    private final Thread thread;
    private volatile boolean running = true;

    public PostgresEventListener(DataSource dataSource, EventBus bus, EventLog log) {
        this.dataSource = dataSource;
        this.bus = bus;
        this.log = log;
        this.thread = Thread.ofPlatform().daemon().name("drover-pg-listen").unstarted(this::loop);
    }

    public PostgresEventListener start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CommitAnnouncer.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                bus.published(log.head()); // catch up on what committed before LISTEN took effect
                while (running) {
                    PGNotification[] notes = pg.getNotifications(POLL_MILLIS);
                    if (notes != null) {
                        for (PGNotification n : notes) {
                            bus.published(Long.parseLong(n.getParameter()));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    LOG.warn("event listener lost its connection; polling until it reconnects: {}", e.toString());
                    pollFor(2_000);
                }
            }
        }
    }

    private void pollFor(long millis) {
        long end = System.currentTimeMillis() + millis;
        while (running && System.currentTimeMillis() < end) {
            try {
                bus.published(log.head());
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
