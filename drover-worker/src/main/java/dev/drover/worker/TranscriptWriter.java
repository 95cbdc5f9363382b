package dev.drover.worker;

import java.util.List;
import java.util.Map;

/** Where a harness writes the run's transcript as it goes (the worker sends it to the server). */
public interface TranscriptWriter {
    void append(String role, List<Map<String, Object>> content);

    /** Characters per message: at most 4 bytes each in UTF-8, so a message stays well under the server's 1 MiB. */
    int MAX_TEXT_CHARS = 128 * 1024;

    /** Appends {@code text}; a long text (a command's burst of output) goes as several messages. */
    default void text(String role, String text) {
        if (text.length() <= MAX_TEXT_CHARS) {
            append(role, List.of(Map.of("type", "text", "text", text)));
            return;
        }
        for (int from = 0; from < text.length(); ) {
            int to = Math.min(text.length(), from + MAX_TEXT_CHARS);
            if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
                to--; // never split a surrogate pair
            }
            append(role, List.of(Map.of("type", "text", "text", text.substring(from, to))));
            from = to;
        }
    }
}
