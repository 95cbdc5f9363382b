package dev.drover.worker;

import java.util.List;
import java.util.Map;

/** Where a harness writes the run's transcript as it goes (the worker sends it to the server). */
public interface TranscriptWriter {
    void append(String role, List<Map<String, Object>> content);

    default void text(String role, String text) {
        append(role, List.of(Map.of("type", "text", "text", text)));
    }
}
