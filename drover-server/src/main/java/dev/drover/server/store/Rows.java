package dev.drover.server.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Result-set reads that behave the same on both drivers. */
public final class Rows {
    private Rows() {}

    /** A nullable BIGINT column; {@code getObject(.., Long.class)} is not portable across the two drivers. */
    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    public static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
