package dev.drover.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.drover.api.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Reading request bodies into wire records with errors that name the field, and writing replies. */
public final class JsonBodies {
    public static final String JSON = "application/json";

    private JsonBodies() {}

    public static <T> T read(ServerRequest req, Class<T> type) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        return parse(bytes, type);
    }

    static <T> T parse(byte[] bytes, Class<T> type) {
        if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        try {
            T value = Json.mapper().readValue(bytes, type);
            if (value == null) {
                throw ApiException.badRequest("body", "a JSON object is required, not null");
            }
            return value;
        } catch (InvalidFormatException e) {
            String allowed = e.getTargetType() != null && e.getTargetType().isEnum()
                    ? "; one of " + Arrays.stream(e.getTargetType().getEnumConstants()).map(String::valueOf)
                            .collect(Collectors.joining(", "))
                    : "";
            throw ApiException.badRequest(path(e), "invalid value " + quote(e.getValue()) + allowed);
        } catch (MismatchedInputException e) {
            String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw ApiException.badRequest(path(e), "wrong type, expected " + expected);
        } catch (JsonMappingException e) {
            throw ApiException.badRequest(path(e), "invalid value");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    /** The JSON path of the failing member, as the client spelled it: {@code config.model_id}, {@code to[2]}. */
    static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "body" : out.toString();
    }

    public static byte[] write(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass(), e);
        }
    }

    public static void send(ServerResponse res, Object value) {
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(write(value));
    }
}
