package dev.drover.server.store;

import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/** Cluster mode: many stateless nodes on one PostgreSQL. */
final class PostgresDialect implements Dialect {
    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public String runTextSearch(Sql.Builder b, String text) {
        // the same expression as the runs_search trigram index, so the planner can use it
        return "(r.title || chr(31) || r.prompt || chr(31) || COALESCE(r.skill_spec, '')) ILIKE "
                + b.param(SqliteDialect.likePattern(text)) + " ESCAPE '!'";
    }

    @Override
    public boolean plansWithoutStatistics() {
        return false;
    }

    @Override
    public boolean keepsRunTextTerms() {
        return true;
    }

    @Override
    public Sql runTextSearchIds(String text) {
        // for counting (RunRepository.commonText): pg_trgm's index has no statistics of the text, so the planner
        // guesses ~100 matches for any q and would read all 18,000 of q=inventory over a million runs and sort them
        return text.codePointCount(0, text.length()) >= 3
                ? new Sql("SELECT r.id AS run_id FROM runs r WHERE (r.title || chr(31) || r.prompt || chr(31) || "
                        + "COALESCE(r.skill_spec, '')) ILIKE :q ESCAPE '!'", java.util.Map.of("q", SqliteDialect.likePattern(text)))
                : null;
    }

    @Override
    public String runTextScan(Sql.Builder b, String text) {
        // not the index's expression, so the planner walks the sort's index and tests each run
        String p = b.param(SqliteDialect.likePattern(text));
        return "(r.title ILIKE " + p + " ESCAPE '!' OR r.prompt ILIKE " + p + " ESCAPE '!' OR COALESCE(r.skill_spec, '') ILIKE "
                + p + " ESCAPE '!')";
    }

    @Override
    public String binaryCollation(String expression) {
        return expression + " COLLATE \"C\"";
    }

    @Override
    public String skipLocked() {
        return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    public String skipLocked(String alias) {
        return " FOR UPDATE OF " + alias + " SKIP LOCKED";
    }

    @Override
    public String lockRows() {
        // NO KEY: conflicts with every UPDATE of the row, yet lets inserts that merely reference it (messages,
        // child runs) go ahead
        return " FOR NO KEY UPDATE";
    }

    @Override
    public void readOneSnapshot(Handle handle) {
        // for this transaction only: nothing to restore when the connection goes back to the pool
        handle.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }

    @Override
    public boolean isUniqueViolation(Throwable error) {
        return hasState(error, "23505");
    }

    @Override
    public boolean isDeadlock(Throwable error) {
        return hasState(error, "40P01");
    }

    private static boolean hasState(Throwable error, String sqlState) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && sqlState.equals(e.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
