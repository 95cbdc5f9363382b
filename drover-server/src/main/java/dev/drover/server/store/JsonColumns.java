package dev.drover.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.drover.api.Json;

/**
 * The one reader and writer of the JSON columns (a run's config, an identity's skills, an artifact's data …), with
 * the API's mapper so a column holds exactly what the API would send. SQL NULL and Java null map to each other. A
 * column that does not read back is a corrupt database, not a client's mistake: it is an IllegalStateException
 * (500), naming the type it should have been.
 */
public final class JsonColumns {
    private JsonColumns() {}

    /** The column's text for {@code value}; null for null. */
    public static String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The column read as {@code type}; null for NULL. */
    public static <T> T read(String json, Class<T> type) {
        return read(json, Json.mapper().constructType(type));
    }

    /** The column read as a generic type ({@code new TypeReference<List<String>>() {}}); null for NULL. */
    public static <T> T read(String json, TypeReference<T> type) {
        return read(json, Json.mapper().constructType(type));
    }

    private static <T> T read(String json, JavaType type) {
        if (json == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON column for " + type.toCanonical(), e);
        }
    }
}
