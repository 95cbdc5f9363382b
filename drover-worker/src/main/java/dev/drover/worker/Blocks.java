package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec's conversation content blocks ({@code text}, {@code action}, {@code action_result}, {@code event}),
 * built from what agent CLIs stream. Long strings are cut: a transcript shows what happened, it is not an
 * archive of every file an agent read.
 */
final class Blocks {
    static final int MAX_STRING_BYTES = 64 * 1024;

    private Blocks() {}

    static Map<String, Object> text(String text) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "text");
        b.put("text", cut(text));
        return b;
    }

    static Map<String, Object> action(String id, String category, String name, Map<String, Object> input) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "action");
        b.put("id", id);
        b.put("category", category);
        b.put("name", name);
        b.put("input", input);
        return b;
    }

    /** {@code state} is one of the spec's action states: running, completed, failed, denied. */
    static Map<String, Object> result(String actionId, String category, String name, String state,
            Map<String, Object> output) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "action_result");
        b.put("action_id", actionId);
        b.put("category", category);
        b.put("name", name);
        b.put("state", state);
        b.put("output", output);
        return b;
    }

    static Map<String, Object> event(String name, Map<String, Object> data) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "event");
        b.put("name", name);
        b.put("data", data);
        return b;
    }

    /** A JSON object as a map with its strings cut (an action's input or output); anything else is wrapped. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return new LinkedHashMap<>();
        }
        if (!node.isObject()) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("value", cutAll(Json.mapper().convertValue(node, Object.class)));
            return wrapped;
        }
        return (Map<String, Object>) cutAll(Json.mapper().convertValue(node, Map.class));
    }

    /** A map of the given keys and values, nulls left out. */
    static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                m.put((String) keysAndValues[i], cutAll(keysAndValues[i + 1]));
            }
        }
        return m;
    }

    /** The text of a node: a string as is, an array of {@code {"type":"text","text":…}} parts joined, else JSON. */
    static String textOf(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder();
            for (JsonNode part : node) {
                if (part.has("text")) {
                    out.append(part.path("text").asText());
                } else if (part.isTextual()) {
                    out.append(part.asText());
                }
            }
            return out.toString();
        }
        return node.toString();
    }

    /** {@code s} cut to {@link #MAX_STRING_BYTES} of UTF-8, saying so. */
    static String cut(String s) {
        if (s == null) {
            return "";
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_STRING_BYTES) {
            return s;
        }
        String head = new String(b, 0, MAX_STRING_BYTES, StandardCharsets.UTF_8);
        // a character split at the cut decodes as U+FFFD: leave it out
        if (head.endsWith("\uFFFD")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + "\n[cut: " + (b.length - MAX_STRING_BYTES) + " more bytes]";
    }

    /** Every string inside {@code value} (maps and lists walked) cut by {@link #cut}. */
    @SuppressWarnings("unchecked")
    static Object cutAll(Object value) {
        if (value instanceof String s) {
            return cut(s);
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, cutAll(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(Blocks::cutAll).toList();
        }
        return value;
    }
}
