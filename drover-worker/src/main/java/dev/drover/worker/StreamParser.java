package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Reads one agent CLI's JSON-lines stream, one event at a time, into the run's transcript (the spec's
 * normalized messages and content blocks) and token usage, and remembers how the CLI said the task ended.
 * One parser per run: it keeps state across events (tool names by call id, text streamed in pieces).
 */
interface StreamParser {

    /** Where a parser's findings go. */
    interface Sink {
        /** A transcript message: role user, assistant, tool or system, and its content blocks. */
        void message(String role, List<Map<String, Object>> content);

        /** Tokens a model spent, as the stream reported them. */
        void usage(String modelId, long inputTokens, long outputTokens);
    }

    /**
     * What the stream said about the end of the task: {@code success} is null when it said nothing (the exit
     * status decides alone); {@code summary} is the agent's final answer, {@code error} why it failed.
     */
    record Verdict(Boolean success, String summary, String error) {}

    void accept(JsonNode event, Sink sink);

    /** The stream ended: write out anything still buffered. */
    default void end(Sink sink) {}

    Verdict verdict();
}
