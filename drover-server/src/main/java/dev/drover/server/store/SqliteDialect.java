package dev.drover.server.store;

import org.jdbi.v3.core.Handle;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The embedded default: one file, one writer; commit order is sequence order by construction. */
final class SqliteDialect implements Dialect {

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public String containsIgnoreCase(String column, String param) {
        // LIKE is case-insensitive for ASCII in SQLite; the caller escapes wildcards with '!'.
        return column + " LIKE :" + param + " ESCAPE '!'";
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
    public void announceEvent(Handle handle, long sequence) {
        // one process owns the file; in-process waiters are woken after commit by the EventBus
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
