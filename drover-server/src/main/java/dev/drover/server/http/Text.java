package dev.drover.server.http;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for text in request bodies, so that every field answers the same way.
 *
 * <ul>
 *   <li>NUL (U+0000) is refused everywhere with 400 naming the field: PostgreSQL cannot store it, processes
 *       cannot receive it in arguments or the environment, and no legitimate prompt, name or command needs it.
 *       {@link JsonBodies} applies this to every string of every body, so no feature can forget it.</li>
 *   <li>Blank (empty or only whitespace) is never silently turned into something else. Each field says which of
 *       the three it is: {@link #required} (blank refused as missing), {@link #notBlankIfPresent} (absent is fine,
 *       blank is refused: identifiers, names, references) or {@link #blankIsAbsent} (free text whose blank
 *       means "none": documented per field in docs/api.md).</li>
 * </ul>
 */
public final class Text {
    public static final String NO_NUL = "must not contain the NUL character (\\u0000)";

    private Text() {}

    /** Refuses NUL; the check every body string goes through. */
    public static void refuseNul(String field, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field, NO_NUL);
        }
    }

    /** A field that must be present and not blank; returns it unchanged. */
    public static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, "is required" + (value == null ? "" : " and must not be blank"));
        }
        refuseNul(field, value);
        return value;
    }

    /** A field that may be left out, but when given must say something; returns it unchanged. */
    public static String notBlankIfPresent(String field, String value) {
        if (value != null && value.isBlank()) {
            throw ApiException.badRequest(field, "must not be blank (leave the field out instead)");
        }
        refuseNul(field, value);
        return value;
    }

    /** Free text where blank means "none": null for null or blank, else the value. */
    public static String blankIsAbsent(String field, String value) {
        refuseNul(field, value);
        return value == null || value.isBlank() ? null : value;
    }

    /** At most {@code max} characters, counted as JSON Schema's maxLength counts them (code points). */
    public static void maxChars(String field, String value, int max) {
        if (value != null && value.length() > max && value.codePointCount(0, value.length()) > max) {
            throw ApiException.badRequest(field, "must be at most " + max + " characters");
        }
    }

    /** At most {@code max} bytes of UTF-8. */
    public static void maxBytes(String field, String value, int max) {
        if (value != null && value.length() > max / 3 && value.getBytes(StandardCharsets.UTF_8).length > max) {
            throw ApiException.badRequest(field, "must be at most " + max + " bytes");
        }
    }
}
