package dev.drover.server.runs;

import dev.drover.server.store.Times;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * How many of the listed owners' runs a created-date filter ({@code created_after}, {@code created_before})
 * selects, counted from runs_by_created up to {@link #SORTED} (~1 ms): the list's plan for any other sort depends
 * on it. Under that many, the window's runs are read and sorted (a day of a million-run year, ~2,700 runs, in a
 * few milliseconds); walking the sort's index instead passes every run newer than the window first (1.0 s for a
 * day six months back: neither planner knows that updated_at follows created_at). From that many on, the walk:
 * a wide window is mostly recent runs, found at once in the default newest-first order.
 */
final class CreatedWindow {
    static final int SORTED = 10_000;

    private CreatedWindow() {}

    /** The window's runs up to {@link #SORTED}; -1 when the filter has no created-date bound. */
    static int runs(Handle h, List<String> ownerIds, RunFilter filter) {
        if (filter.createdAfter() == null && filter.createdBefore() == null) {
            return -1;
        }
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < ownerIds.size(); i++) {
            owners.add(":owner" + i);
        }
        String sql = "SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE owner_id IN (" + String.join(", ", owners) + ")"
                + (filter.createdAfter() != null ? " AND created_at > :after" : "")
                + (filter.createdBefore() != null ? " AND created_at < :before" : "") + " LIMIT " + SORTED + ") s";
        var count = h.createQuery(sql);
        for (int i = 0; i < ownerIds.size(); i++) {
            count.bind("owner" + i, ownerIds.get(i));
        }
        if (filter.createdAfter() != null) {
            count.bind("after", Times.micros(filter.createdAfter()));
        }
        if (filter.createdBefore() != null) {
            count.bind("before", Times.micros(filter.createdBefore()));
        }
        return count.mapTo(Integer.class).one();
    }
}
