package dev.drover.server.store;

import org.jdbi.v3.core.Handle;

/**
 * Everything that differs between SQLite and PostgreSQL, in one place (db-scheduler's JdbcCustomization is
 * the model). Repositories write portable SQL and ask the dialect only for these few fragments.
 */
public interface Dialect {

    String name();

    /** Flyway location of this dialect's migrations. */
    default String migrations() {
        return "classpath:db/migration/" + name();
    }

    /**
     * A condition on runs alias {@code r} that is true when {@code text} occurs, ignoring case, in the run's
     * title, prompt or skill spec; served by the dialect's text index.
     */
    String runTextSearch(Sql.Builder b, String text);

    /**
     * The same condition tested row by row, for a listing that walks its sort's index because {@code text} is
     * common (a page of matches comes within a few hundred rows); by default the index's own condition.
     */
    default String runTextScan(Sql.Builder b, String text) {
        return runTextSearch(b, text);
    }

    /**
     * Whether the planner chooses without statistics of the data (SQLite: Drover runs no ANALYZE), so a query
     * whose best plan depends on how many rows a filter matches must choose it itself.
     */
    boolean plansWithoutStatistics();

    /**
     * Whether runs' short-{@code q} terms ({@code RunTextTerms}) are kept in {@code run_text_terms}, written after
     * each run's creation by following the event log (PostgreSQL, V29); SQLite finds a short {@code q} from its
     * trigram index's vocabulary instead.
     */
    default boolean keepsRunTextTerms() {
        return false;
    }

    /** The ids of the runs (of every owner) {@code text} matches, as one query from the search index; null if none. */
    Sql runTextSearchIds(String text);

    /** {@code expression} compared by code point, the order Java's merge of sorted pages also uses. */
    String binaryCollation(String expression);

    /** Suffix of a claim query that must not wait for rows another node is claiming. */
    String skipLocked();

    /**
     * {@link #skipLocked()} for a query that joins other tables: only the rows of {@code alias} are locked (and
     * skipped when another transaction holds them), never the joined rows.
     */
    String skipLocked(String alias);

    /**
     * Suffix of a SELECT that locks the rows it reads until the transaction ends, so that a check made on them
     * (a run is not terminal) still holds when the transaction commits. Empty where writers are serialised anyway.
     */
    String lockRows();

    /**
     * Makes the transaction just begun on {@code handle} read one snapshot throughout, as its first statement; a
     * transaction's default is READ COMMITTED on PostgreSQL (statement by statement), a snapshot on SQLite already.
     */
    default void readOneSnapshot(Handle handle) {}

    /** Whether an exception is a unique-key violation (a lost race that the caller resolves by reading). */
    boolean isUniqueViolation(Throwable error);

    /** Whether the database failed a statement to break a deadlock (PostgreSQL's 40P01); SQLite has no row locks. */
    default boolean isDeadlock(Throwable error) {
        return false;
    }
}
