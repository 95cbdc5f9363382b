package dev.drover.server.runs;

import java.util.List;

/**
 * The sort orders of the runs list, each a keyset: the key expressions in order, then the run id as the final
 * tie-breaker so every position is unique. {@code agent} groups runs without a skill last in either direction.
 */
enum RunSort {
    UPDATED_AT("updated_at", List.of(Key.dir("r.updated_at", Key.Type.LONG))),
    CREATED_AT("created_at", List.of(Key.dir("r.created_at", Key.Type.LONG))),
    TITLE("title", List.of(Key.dir("r.title", Key.Type.STRING))),
    AGENT("agent", List.of(
            Key.alwaysAscending("CASE WHEN r.skill_name IS NULL THEN 1 ELSE 0 END", Key.Type.LONG),
            Key.dir("COALESCE(r.skill_name, '')", Key.Type.STRING)));

    /** One part of the key; {@code ascendingAlways} parts ignore the requested direction. */
    record Key(String expression, Type type, boolean ascendingAlways) {
        enum Type { LONG, STRING }

        static Key dir(String expression, Type type) {
            return new Key(expression, type, false);
        }

        static Key alwaysAscending(String expression, Type type) {
            return new Key(expression, type, true);
        }
    }

    final String wire;
    final List<Key> keys;

    RunSort(String wire, List<Key> keys) {
        this.wire = wire;
        this.keys = keys;
    }

    static RunSort ofWire(String wire) {
        for (RunSort s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return wire;
    }
}
