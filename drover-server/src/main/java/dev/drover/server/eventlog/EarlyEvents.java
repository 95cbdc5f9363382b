package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Local commits handed to the tail before an event with a smaller sequence was delivered: two transactions commit
 * one after the other and the later one's thread gets to the tail first, or another node's commit sits in between.
 * They wait here, by sequence, until the cursor reaches them. Bounded: one that does not fit is forgotten, and the
 * reader (woken by the same commit) reads it from the log like any other node's event. Guarded by the tail's lock.
 */
final class EarlyEvents {
    private final int capacity;
    private final TreeMap<Long, RunEvent> held = new TreeMap<>();

    EarlyEvents(int capacity) {
        this.capacity = capacity;
    }

    void hold(RunEvent e) {
        if (held.size() < capacity) {
            held.put(e.sequence(), e);
        }
    }

    /**
     * Delivers what follows the tail's cursor without a gap, and forgets what the cursor has passed (read from the
     * log meanwhile).
     */
    void deliverFollowing(EventTail tail, List<RunEvent> handed) {
        while (!held.isEmpty()) {
            Map.Entry<Long, RunEvent> first = held.firstEntry();
            if (first.getKey() <= tail.cursor) {
                held.pollFirstEntry();
            } else if (first.getKey() == tail.cursor + 1) {
                held.pollFirstEntry();
                tail.deliver(first.getValue(), handed);
            } else {
                return;
            }
        }
    }

    /** How many wait (tests). */
    int size() {
        return held.size();
    }
}
