package dev.drover.server.runs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.drover.api.RunItem;
import dev.drover.server.http.JsonBodies;
import dev.drover.server.runs.RunVersions.Version;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs as the API last showed them, each with the {@link Version} of the row it was read from. An entry is served
 * only when {@link RunVersions} reads the same version now, so a hit is exactly what a read of the row would have
 * returned; a changed row is simply a miss, read again and put back. Nothing has to invalidate anything, on this
 * node or another. What an entry does not depend on: who asks (visibility is checked per request against the run's
 * owner, which never changes) and the time ({@code run_time} of a run still working is computed per request).
 */
final class RunCache {
    /**
     * Runs kept, least recently used first out: a GET answer is a few kilobytes, so the cache stays within tens of
     * megabytes; the runs being polled are the ones that stay.
     */
    static final int MAX_RUNS = 4096;

    /** A run as read at {@code version}, and its last encoding (a hit is usually the same bytes again). */
    record Entry(RunItem item, String ownerId, Version version, AtomicReference<Encoded> encoded) {
        Entry(RunItem item, String ownerId, Version version) {
            this(item, ownerId, version, new AtomicReference<>());
        }

        /**
         * {@code now} (the item as it reads now, see {@link RunMapping#now}) as JSON. It differs from the cached item
         * at most in {@code run_time}, which counts whole seconds: the bytes are encoded again when that changes.
         */
        byte[] json(RunItem now) {
            Encoded e = encoded.get();
            if (e == null || !Objects.equals(e.runTime(), now.runTime())) {
                e = new Encoded(now.runTime(), JsonBodies.write(now));
                encoded.set(e);
            }
            return e.json();
        }
    }

    record Encoded(String runTime, byte[] json) {}

    private final Cache<String, Entry> entries = Caffeine.newBuilder().maximumSize(MAX_RUNS).build();

    /** The run as cached at {@code version}; null when absent or cached at another version. */
    Entry at(String runId, Version version) {
        Entry e = entries.getIfPresent(runId);
        return e != null && e.version().equals(version) ? e : null;
    }

    /**
     * Keeps a run read at {@code version}. Versions of a row only grow, so an older read arriving late (a slow
     * reader racing a newer one) never replaces a newer entry.
     */
    void put(String runId, Entry entry) {
        entries.asMap().merge(runId, entry, (old, now) -> now.version().row() >= old.version().row() ? now : old);
    }
}
