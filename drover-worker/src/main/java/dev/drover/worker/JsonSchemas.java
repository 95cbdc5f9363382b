package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An MCP tool's JSON Schema as langchain4j's schema model, which each provider module then writes in its own
 * dialect. Covers what tool schemas use: objects, arrays, scalars, enums, anyOf/oneOf and local {@code $ref}s;
 * anything else becomes an unconstrained string so the tool stays callable.
 */
final class JsonSchemas {
    private JsonSchemas() {}

    /** The parameters of a tool: always an object (an empty one when the server gave no schema). */
    static JsonObjectSchema objectSchema(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return JsonObjectSchema.builder().build();
        }
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        object(schema, b);
        Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
        for (String key : List.of("$defs", "definitions")) {
            schema.path(key).properties().forEach(e -> definitions.put(e.getKey(), element(e.getValue())));
        }
        if (!definitions.isEmpty()) {
            b.definitions(definitions);
        }
        return b.build();
    }

    private static void object(JsonNode schema, JsonObjectSchema.Builder b) {
        if (schema.hasNonNull("description")) {
            b.description(schema.get("description").asText());
        }
        Map<String, JsonSchemaElement> properties = new LinkedHashMap<>();
        schema.path("properties").properties().forEach(e -> properties.put(e.getKey(), element(e.getValue())));
        b.addProperties(properties);
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(n -> required.add(n.asText()));
        if (!required.isEmpty()) {
            b.required(required);
        }
        if (schema.path("additionalProperties").isBoolean()) {
            b.additionalProperties(schema.get("additionalProperties").asBoolean());
        }
    }

    static JsonSchemaElement element(JsonNode s) {
        String description = s.hasNonNull("description") ? s.get("description").asText() : null;
        if (s.hasNonNull("$ref")) {
            String ref = s.get("$ref").asText();
            return JsonReferenceSchema.builder().reference(ref.substring(ref.lastIndexOf('/') + 1)).build();
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (s.path(key).isArray()) {
                List<JsonSchemaElement> options = new ArrayList<>();
                s.get(key).forEach(o -> options.add(element(o)));
                return JsonAnyOfSchema.builder().description(description).anyOf(options).build();
            }
        }
        if (s.path("enum").isArray()) {
            List<String> values = new ArrayList<>();
            s.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().description(description).enumValues(values).build();
        }
        String type = type(s);
        return switch (type) {
            case "object" -> {
                JsonObjectSchema.Builder b = JsonObjectSchema.builder();
                object(s, b);
                yield b.build();
            }
            case "array" -> JsonArraySchema.builder().description(description)
                    .items(s.has("items") ? element(s.get("items")) : new JsonStringSchema()).build();
            case "integer" -> JsonIntegerSchema.builder().description(description).build();
            case "number" -> JsonNumberSchema.builder().description(description).build();
            case "boolean" -> JsonBooleanSchema.builder().description(description).build();
            case "null" -> new JsonNullSchema();
            default -> JsonStringSchema.builder().description(description).build();
        };
    }

    /** The schema's type; of a list of types (["string", "null"]) the first that is not null. */
    private static String type(JsonNode s) {
        JsonNode t = s.get("type");
        if (t == null) {
            return s.has("properties") ? "object" : s.has("items") ? "array" : "string";
        }
        if (t.isArray()) {
            for (JsonNode option : t) {
                if (!option.asText().equals("null")) {
                    return option.asText();
                }
            }
            return "null";
        }
        return t.asText();
    }
}
