package dev.drover.server.runs;

import dev.drover.server.store.Database;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The current version of runs, read for many concurrent requests by one query. What makes {@link RunCache} exact:
 * a request's answer always comes from a query that <em>started after the request asked</em> (a request arriving
 * while a query runs waits for the next one), so it reflects every commit that finished before the request
 * began, on this node or any other — the guarantee a read of the row itself gives. Under load the requests that
 * arrive while the queries run share the next one: one small query per batch instead of a full read per request.
 *
 * <p>A version is the row's {@code row_version} (bumped by the database on every update of the row, V23) and the
 * creator as the API shows it (read through the same join as the run, since a principal's name can change
 * without its runs changing).
 */
final class RunVersions implements AutoCloseable {
    /** What a cached run must match to be served. */
    record Version(long row, String creatorKind, String creatorName, String creatorEmail) {}

    /**
     * Ids per query. Batches are padded to a power of two (repeating an id) so that the database sees eight
     * statement texts, each kept prepared per connection (Database.readPrepared) rather than one per batch size.
     */
    static final int MAX_BATCH = 128;

    private record Ask(String runId, CompletableFuture<Optional<Version>> answer) {}

    private final Database db;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition asked = lock.newCondition();
    private List<Ask> asks = new ArrayList<>();
    private boolean closed;
    /**
     * Queries that may run at once. With one, a batch waits for the previous query's round trip to end before its
     * own starts; with two, the second starts as soon as requests wait, so a database round trip slowed by a busy
     * machine delays half as many requests. Each holds a pooled connection while it reads.
     */
    static final int READERS = 2;

    private final List<Thread> readers = new ArrayList<>();

    RunVersions(Database db) {
        this.db = db;
        for (int i = 0; i < READERS; i++) {
            readers.add(Thread.ofVirtual().name("run-versions-" + i).start(this::readLoop));
        }
    }

    /** The run's version now; empty when there is no such run. The calling (virtual) thread waits for one query. */
    Optional<Version> current(String runId) {
        CompletableFuture<Optional<Version>> answer = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("run versions closed");
            }
            asks.add(new Ask(runId, answer));
            asked.signal();
        } finally {
            lock.unlock();
        }
        try {
            return answer.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void readLoop() {
        while (true) {
            List<Ask> batch;
            lock.lock();
            try {
                while (asks.isEmpty() && !closed) {
                    asked.await();
                }
                if (closed) {
                    asks.forEach(a -> a.answer().completeExceptionally(new IllegalStateException("run versions closed")));
                    asks.clear();
                    return;
                }
                if (asks.size() <= MAX_BATCH) {
                    batch = asks;
                    asks = new ArrayList<>();
                } else {
                    batch = new ArrayList<>(asks.subList(0, MAX_BATCH));
                    asks = new ArrayList<>(asks.subList(MAX_BATCH, asks.size()));
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            answer(batch);
        }
    }

    private void answer(List<Ask> batch) {
        try {
            Map<String, Version> found = read(batch.stream().map(Ask::runId).toList());
            batch.forEach(a -> a.answer().complete(Optional.ofNullable(found.get(a.runId()))));
        } catch (RuntimeException e) {
            batch.forEach(a -> a.answer().completeExceptionally(e));
        }
    }

    private Map<String, Version> read(List<String> runIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(runIds));
        int size = Integer.highestOneBit(ids.size());
        size = size == ids.size() ? size : size * 2;
        while (ids.size() < size) {
            ids.add(ids.getFirst());
        }
        String sql = SQL[Integer.numberOfTrailingZeros(size)];
        // plain JDBC: this one statement runs for every GET of a run, and Jdbi's binding and result machinery cost
        // more than the query here (a JFR profile put 60 % of a PostgreSQL GET's samples in it)
        return db.readPrepared(sql, ps -> {
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 1, ids.get(i));
            }
            Map<String, Version> out = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1),
                            new Version(rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            return out;
        });
    }

    /** The query for 1, 2, 4 … {@link #MAX_BATCH} ids. */
    private static final String[] SQL = new String[Integer.numberOfTrailingZeros(MAX_BATCH) + 1];

    static {
        for (int i = 0; i < SQL.length; i++) {
            SQL[i] = "SELECT r.id, r.row_version, p.kind, p.display_name, p.email FROM runs r"
                    + " JOIN principals p ON p.id = r.creator_id WHERE r.id IN ("
                    + String.join(", ", java.util.Collections.nCopies(1 << i, "?")) + ")";
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            asked.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
