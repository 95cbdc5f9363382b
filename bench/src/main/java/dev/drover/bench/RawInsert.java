package dev.drover.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ceiling Drover's creates are compared with: {@code threads} threads inserting one {@code runs} row per
 * transaction into a database of Drover's schema (its migrations, so the same indexes, triggers and text
 * index), through as many connections as Drover's own writer has.
 */
final class RawInsert {
    /** Inserts per second and per-insert latency (including the wait for a connection) in milliseconds. */
    record Result(double perSecond, long inserts, double p50, double p99) {}

    private RawInsert() {}

    static Result run(Store store, int threads, Duration warmup, Duration duration) {
        store.migrate(Store.RAW);
        try (HikariDataSource pool = store.pool(Store.RAW, store.writerConnections())) {
            RunRows.Owner owner;
            try (Connection c = pool.getConnection()) {
                owner = RunRows.insertOwner(c);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            long start = System.nanoTime();
            long measureFrom = start + warmup.toNanos();
            long end = measureFrom + duration.toNanos();
            List<long[]> latencies = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                Samples samples = new Samples();
                Thread worker = Thread.ofPlatform().name("raw-insert-" + t).start(() -> {
                    try {
                        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                            insert(pool, owner);
                            long done = System.nanoTime();
                            if (now >= measureFrom && done <= end) {
                                samples.add(done - now);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    synchronized (latencies) {
                        latencies.add(samples.toArray());
                    }
                });
                workers.add(worker);
            }
            for (Thread w : workers) {
                w.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("raw insert failed", failure.get());
            }
            long[] all = Samples.merge(latencies);
            return new Result(all.length / (duration.toNanos() / 1e9), all.length,
                    Samples.percentile(all, 0.50) / 1e6, Samples.percentile(all, 0.99) / 1e6);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void insert(HikariDataSource pool, RunRows.Owner owner) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(RunRows.INSERT)) {
                RunRows.bindQueued(ps, owner.teamId(), owner.userId(), System.currentTimeMillis() * 1000);
                ps.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
