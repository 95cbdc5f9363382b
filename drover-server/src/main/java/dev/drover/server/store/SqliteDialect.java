package dev.drover.server.store;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The embedded default: one file, one writer; commit order is sequence order by construction. */
final class SqliteDialect implements Dialect {

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public String runTextSearch(Sql.Builder b, String text) {
        if (text.codePointCount(0, text.length()) >= 3) {
            // a quoted FTS5 phrase under the trigram tokenizer is a case-insensitive substring match
            return "r.id IN (SELECT run_id FROM runs_search WHERE runs_search MATCH "
                    + b.param(phrase(text)) + ")";
        }
        return runTextScan(b, text);
    }

    @Override
    public String runTextScan(Sql.Builder b, String text) {
        // FTS5 would evaluate its whole match set before the walk reads its first row (0.4 s for a phrase that
        // matches 8 % of a million runs); LIKE tests only the rows the walk reads. The pattern is an expression, not a
        // bare parameter: SQLite plans a LIKE of an indexed column from a bound pattern's value, and so prepares the
        // statement again at every execution (StatementCache)
        String p = "CAST(" + b.param(likePattern(text)) + " AS TEXT)";
        return "(r.title LIKE " + p + " ESCAPE '!' OR r.prompt LIKE " + p + " ESCAPE '!' OR COALESCE(r.skill_spec, '') LIKE "
                + p + " ESCAPE '!')";
    }

    @Override
    public boolean plansWithoutStatistics() {
        return true;
    }

    @Override
    public Sql runTextSearchIds(String text) {
        return text.codePointCount(0, text.length()) >= 3
                ? new Sql("SELECT run_id FROM runs_search WHERE runs_search MATCH :q", java.util.Map.of("q", phrase(text)))
                : null;
    }

    private static String phrase(String text) {
        return "body : \"" + text.replace("\"", "\"\"") + "\"";
    }

    /** {@code %text%} with LIKE's wildcards escaped by '!' (Jdbi's lexer misreads a backslash before a quote). */
    static String likePattern(String text) {
        return "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    @Override
    public String binaryCollation(String expression) {
        return expression; // BINARY is SQLite's default collation: UTF-8 bytes, which is code point order
    }

    @Override
    public String skipLocked() {
        return ""; // a single writer: nobody else can hold the row
    }

    @Override
    public String skipLocked(String alias) {
        return "";
    }

    @Override
    public String lockRows() {
        return ""; // BEGIN IMMEDIATE: a write transaction already excludes every other writer
    }

    @Override
    public boolean isUniqueViolation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException e
                    && (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                    || e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE)) {
                return true;
            }
        }
        return false;
    }
}
