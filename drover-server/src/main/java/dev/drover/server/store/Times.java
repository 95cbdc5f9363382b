package dev.drover.server.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Timestamps are stored as microseconds since the epoch in both dialects: exact, sortable, portable. */
public final class Times {
    private Times() {}

    public static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    public static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    public static Instant instantOrNull(Long micros) {
        return micros == null ? null : instant(micros);
    }
}
