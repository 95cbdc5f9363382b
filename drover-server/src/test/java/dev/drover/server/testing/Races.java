package dev.drover.server.testing;

import dev.drover.server.store.Database;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;

/**
 * Staging a race between two writers without sleeping: the first holds its transaction open, the second is
 * started in a thread of its own, and {@link #awaitBlocked} waits until the second is really stuck behind the
 * first (a lock wait on PostgreSQL; the single write connection on SQLite) before the first is let go.
 */
public final class Races {
    private Races() {}

    /** A piece of work running in its own thread. */
    public record Attempt<T>(Thread thread, CompletableFuture<T> result) {}

    public static <T> Attempt<T> start(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("race-attempt").start(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return new Attempt<>(t, result);
    }

    /**
     * Waits until {@code attempt} is blocked by another transaction: on PostgreSQL until some backend of the
     * server's database waits for a lock, on SQLite until the attempt's thread is parked (waiting for the one write
     * connection, which the first writer holds).
     */
    public static void awaitBlocked(TestServer server, Attempt<?> attempt) {
        awaitBlocked(server.server().database(), attempt);
    }

    /** {@link #awaitBlocked(TestServer, Attempt)} on a database opened by the test itself. */
    public static void awaitBlocked(Database db, Attempt<?> attempt) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (attempt.result().isDone()) {
                return true; // it did not block at all; the caller's assertions will say whether that is right
            }
            if (db.isPostgres()) {
                return db.readOne(h -> h.createQuery("""
                                SELECT COUNT(*) FROM pg_stat_activity
                                WHERE datname = current_database() AND wait_event_type = 'Lock'""")
                        .mapTo(Long.class).one()) > 0;
            }
            Thread.State s = attempt.thread().getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }
}
