package dev.drover.server.http;

import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Typed, validated access to query parameters; every failure is a 400 naming the parameter. */
public final class QueryParams {
    private final UriQuery query;

    public QueryParams(ServerRequest req) {
        this(req.query());
    }

    /** Over a query alone (decoded as the server decodes it): the rules need no request around them. */
    public QueryParams(UriQuery query) {
        this.query = query;
    }

    /** The parameter's value; empty means absent. NUL is refused as in bodies ({@link Text}). */
    public Optional<String> string(String name) {
        Optional<String> value = query.first(name).asOptional().filter(s -> !s.isEmpty());
        value.ifPresent(v -> Text.refuseNul(name, v));
        return value;
    }

    public List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        for (String v : query.all(name, List::of)) {
            Text.refuseNul(name, v);
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    public int intInRange(String name, int min, int max, int fallback) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw.get());
            if (v < min || v > max) {
                throw ApiException.badRequest(name, "must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "must be an integer between " + min + " and " + max);
        }
    }

    public long longAtLeast(String name, long min, long fallback) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            long v = Long.parseLong(raw.get());
            if (v < min) {
                throw ApiException.badRequest(name, "must be at least " + min);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, "must be an integer");
        }
    }

    public Optional<Boolean> bool(String name) {
        return string(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ApiException.badRequest(name, "must be true or false");
        });
    }

    public Optional<Instant> timestamp(String name) {
        return string(name).map(v -> {
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest(name, "must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z");
            }
        });
    }

    public <E extends Enum<E>> Optional<E> enumValue(String name, Class<E> type) {
        return string(name).map(v -> parseEnum(name, v, type));
    }

    public <E extends Enum<E>> List<E> enumValues(String name, Class<E> type) {
        return strings(name).stream().map(v -> parseEnum(name, v, type)).distinct().toList();
    }

    /** Parses {@code value} as a constant of {@code type}, matching the wire spelling exactly. */
    public static <E extends Enum<E>> E parseEnum(String name, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.toString().equals(value) || e.name().equals(value)) {
                return e;
            }
        }
        throw ApiException.badRequest(name, "unknown value \"" + value + "\"; one of "
                + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", ")));
    }

    /** All parameters whose name starts with {@code prefix[} and ends with {@code ]}, e.g. metadata[team]=x. */
    public List<String[]> bracketed(String prefix) {
        List<String[]> out = new ArrayList<>();
        for (String name : query.names()) {
            if (name.startsWith(prefix + "[") && name.endsWith("]")) {
                String key = name.substring(prefix.length() + 1, name.length() - 1);
                for (String value : query.all(name, List::of)) {
                    Text.refuseNul(name, value);
                    out.add(new String[] {key, value});
                }
            }
        }
        return out;
    }
}
