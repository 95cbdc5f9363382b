package dev.drover.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.drover.api.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Reading request bodies into wire records with errors that name the field, and writing replies. */
public final class JsonBodies {
    public static final String JSON = "application/json";

    private JsonBodies() {}

    /**
     * The server's reader: the wire configuration plus the one text rule ({@link Text}) on every string of every
     * body, so no endpoint can store a NUL it forgot to check.
     */
    private static final ObjectMapper READER = limited(Json.mapper().copy()
            .registerModule(new SimpleModule("drover-text-rule").addDeserializer(String.class, new NoNulStrings())));

    /**
     * For recorded agent output only (transcript blocks): output is data, not instructions to anything, and an
     * agent printing binary must not fail its run, so NUL is replaced by U+FFFD instead of refused. Every other
     * rule of {@link #read} holds.
     */
    private static final ObjectMapper OUTPUT_READER = limited(Json.mapper().copy()
            .registerModule(new SimpleModule("drover-output-text").addDeserializer(String.class, new NulReplaced())));

    /**
     * The limits docs/api.md promises, set here rather than inherited from whichever Jackson is on the class path:
     * deeper documents are refused before they can exhaust a stack; a string may hold a base64 attachment.
     */
    private static ObjectMapper limited(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(1000).maxStringLength(20_000_000).maxNumberLength(1000).build());
        return mapper;
    }

    public static <T> T read(ServerRequest req, Class<T> type) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        return parse(bytes, type, READER);
    }

    /**
     * {@link #read} with the document changed before it is bound ({@code transform} gets the parsed tree, already
     * through every check of the text rule): how writes of a run's agent are redacted before anything stores them.
     */
    public static <T> T read(ServerRequest req, Class<T> type,
            java.util.function.UnaryOperator<com.fasterxml.jackson.databind.JsonNode> transform) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        var tree = parse(bytes, com.fasterxml.jackson.databind.JsonNode.class, READER);
        return parse(write(transform.apply(tree)), type, READER);
    }

    /** {@link #read} for a body of recorded agent output, whose NULs become U+FFFD (see {@link #OUTPUT_READER}). */
    public static <T> T readRecordedOutput(ServerRequest req, Class<T> type) {
        byte[] bytes = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        return parse(bytes, type, OUTPUT_READER);
    }

    static <T> T parse(byte[] bytes, Class<T> type) {
        return parse(bytes, type, READER);
    }

    /**
     * Every failure of Jackson becomes a 400 naming the member or {@code body}: a request must never reach the
     * 500 path because of what a client sent (a document nested 10,000 deep fails with no location at all).
     */
    private static <T> T parse(byte[] bytes, Class<T> type, ObjectMapper reader) {
        if (bytes.length == 0 || isBlank(bytes)) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        requireUtf8(bytes);
        try {
            T value = reader.readValue(bytes, type);
            if (value == null) {
                throw ApiException.badRequest("body", "a JSON object is required, not null");
            }
            return value;
        } catch (NulInText e) {
            throw ApiException.badRequest(path(e), Text.NO_NUL);
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest("body", "exceeds a limit of this server: " + shorten(e.getOriginalMessage()));
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
            // a parser failure inside a member (too deep, too long, broken UTF-8) arrives wrapped with the member's path
            throw ApiException.badRequest(path(e), e.getCause() instanceof JsonProcessingException cause
                    ? shorten(cause.getOriginalMessage()) : "invalid value");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw ApiException.badRequest("body", "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": " + shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            // reading from a byte array: Jackson's own I/O failures are about the content (e.g. broken UTF-8)
            throw ApiException.badRequest("body", "unreadable JSON: " + shorten(e.getMessage()));
        }
    }

    /**
     * JSON is UTF-8 (RFC 8259). Jackson decodes some malformed sequences (an overlong {@code C0 AF} becomes
     * {@code /}) instead of refusing them, so the bytes are checked strictly first, in small pieces.
     */
    private static void requireUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw ApiException.badRequest("body", "is not valid UTF-8 (at byte " + in.position() + ")");
            }
            out.clear();
            if (result.isUnderflow()) {
                break;
            }
        }
        CoderResult flushed = decoder.flush(out);
        if (flushed.isError()) {
            throw ApiException.badRequest("body", "is not valid UTF-8 (at its end)");
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** A client's value or Jackson's message, cut short: an error must not echo a 2 MB string back. */
    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String line = text.lines().findFirst().orElse("");
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + shorten(s) + "\"" : shorten(String.valueOf(value));
    }

    /** Jackson's string reader plus the NUL rule; the failure carries the member's path up to {@link #parse}. */
    private static final class NoNulStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            if (value != null && value.indexOf('\0') >= 0) {
                throw new NulInText(p);
            }
            return value;
        }
    }

    private static final class NulReplaced extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            return value == null || value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
        }
    }

    private static final class NulInText extends JsonMappingException {
        NulInText(JsonParser p) {
            super(p, Text.NO_NUL);
        }
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
        sendEncoded(res, write(value));
    }

    /** Sends JSON already encoded (by {@link #write}). */
    public static void sendEncoded(ServerResponse res, byte[] json) {
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(json);
    }
}
