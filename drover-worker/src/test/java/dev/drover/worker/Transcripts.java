package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Test helper: a run's transcript messages without the worker's opening note on the run's isolation. */
final class Transcripts {
    private Transcripts() {}

    static JsonNode withoutIsolationNote(JsonNode messages) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode m : messages) {
            JsonNode first = m.path("content").path(0);
            if (!("event".equals(first.path("type").asText()) && "isolation".equals(first.path("name").asText()))) {
                out.add(m);
            }
        }
        return out;
    }
}
