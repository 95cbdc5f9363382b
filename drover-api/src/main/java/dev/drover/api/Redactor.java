package dev.drover.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces the values of a run's secrets with {@code [redacted:NAME]} in whatever leaves the run: transcript
 * messages, process output, artifacts, status messages, messages and child runs the agent sends. Used by the worker
 * before anything leaves it and by the server on writes made with a run's token.
 *
 * <p>Values shorter than {@link #MIN_REDACTED_CHARS} characters are injected but not redacted: replacing every
 * occurrence of a two-letter string would mangle transcripts, and the pattern of the replacements would give the
 * value away anyway. Longer values are replaced longest first, so a secret that contains another is replaced whole.
 */
public final class Redactor {
    /** The shortest value that is redacted. */
    public static final int MIN_REDACTED_CHARS = 8;
    private static final Redactor NONE = new Redactor(List.of());

    private record Value(String name, String text, byte[] utf8, String marker) {}

    private final List<Value> values;
    private final int longest;

    private Redactor(List<Value> values) {
        this.values = values;
        this.longest = values.stream().mapToInt(v -> v.text().length()).max().orElse(0);
    }

    public static Redactor none() {
        return NONE;
    }

    /** A redactor of {@code secrets} (name → value); values too short to redact are left out. */
    public static Redactor of(Map<String, String> secrets) {
        List<Value> values = new ArrayList<>();
        secrets.forEach((name, value) -> {
            if (value != null && value.length() >= MIN_REDACTED_CHARS) {
                values.add(new Value(name, value, value.getBytes(StandardCharsets.UTF_8), "[redacted:" + name + "]"));
            }
        });
        values.sort(Comparator.comparingInt((Value v) -> v.text().length()).reversed());
        return values.isEmpty() ? NONE : new Redactor(List.copyOf(values));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public String redact(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String out = text;
        for (Value v : values) {
            if (out.contains(v.text())) {
                out = out.replace(v.text(), v.marker());
            }
        }
        return out;
    }

    /**
     * {@link #redact} for a text cut from a longer one (the tail of an output): a value cut by the cut, whose end
     * begins the text or whose start ends it, is redacted as well when at least {@link #MIN_REDACTED_CHARS} of it
     * are left.
     */
    public String redactCut(String text) {
        String out = redact(text);
        if (out == null) {
            return null;
        }
        for (Value v : values) {
            for (int n = v.text().length() - 1; n >= MIN_REDACTED_CHARS; n--) {
                if (out.startsWith(v.text().substring(v.text().length() - n))) {
                    out = v.marker() + out.substring(n);
                    break;
                }
            }
            for (int n = v.text().length() - 1; n >= MIN_REDACTED_CHARS; n--) {
                if (out.endsWith(v.text().substring(0, n))) {
                    out = out.substring(0, out.length() - n) + v.marker();
                    break;
                }
            }
        }
        return out;
    }

    /** Redacts every string (and map key) of a JSON-like tree of maps, lists and scalars; returns a new tree. */
    @SuppressWarnings("unchecked")
    public <T> T redactTree(T tree) {
        if (values.isEmpty()) {
            return tree;
        }
        Object node = tree;
        if (node instanceof String s) {
            return (T) redact(s);
        }
        if (node instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k instanceof String s ? redact(s) : k, redactTree(v)));
            return (T) out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(redactTree(v)));
            return (T) out;
        }
        return tree;
    }

    /** Redacts the UTF-8 encoding of each value in {@code bytes} (files, of any type). */
    public byte[] redact(byte[] bytes) {
        if (bytes == null || values.isEmpty()) {
            return bytes;
        }
        byte[] out = bytes;
        for (Value v : values) {
            out = replace(out, v.utf8(), v.marker().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static byte[] replace(byte[] in, byte[] what, byte[] with) {
        int at = indexOf(in, what, 0);
        if (at < 0) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int from = 0;
        while (at >= 0) {
            out.write(in, from, at - from);
            out.write(with, 0, with.length);
            from = at + what.length;
            at = indexOf(in, what, from);
        }
        out.write(in, from, in.length - from);
        return out.toByteArray();
    }

    private static int indexOf(byte[] in, byte[] what, int from) {
        outer:
        for (int i = from; i <= in.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A redactor for text that arrives in pieces (a process's output): see {@link Stream}. */
    public Stream stream() {
        return new Stream();
    }

    /**
     * Redacts a text that arrives in chunks, where a value may be split between two chunks: each chunk's end that
     * could be the beginning of a value is held back until the next chunk (or {@link #finish}) shows whether it is.
     * What is held back is at most the longest value's length less one character.
     */
    public final class Stream {
        private String pending = "";

        private Stream() {}

        /** The redacted text that is certain now; the rest waits for the next chunk. */
        public String feed(String chunk) {
            if (values.isEmpty()) {
                return chunk;
            }
            String text = pending + chunk;
            int cut = text.length() - heldBack(text);
            // a whole value that the cut would split (one secret's end overlapping another's start) goes out whole
            for (boolean moved = true; moved; ) {
                moved = false;
                for (Value v : values) {
                    int at = text.lastIndexOf(v.text(), cut - 1);
                    if (at >= 0 && at < cut && at + v.text().length() > cut) {
                        cut = at + v.text().length();
                        moved = true;
                    }
                }
            }
            pending = text.substring(cut);
            return redact(text.substring(0, cut));
        }

        /** Everything still held back, redacted: the text has ended. */
        public String finish() {
            String rest = redact(pending);
            pending = "";
            return rest;
        }

        /**
         * The length of the longest suffix of {@code text} that is a proper prefix of a value and does not start
         * inside a whole value (a value that is complete is redacted now, not held).
         */
        private int heldBack(String text) {
            int max = Math.min(text.length(), longest - 1);
            for (int n = max; n > 0; n--) {
                int from = text.length() - n;
                if (Character.isLowSurrogate(text.charAt(from))) {
                    continue;
                }
                for (Value v : values) {
                    if (v.text().length() > n && v.text().regionMatches(0, text, from, n)) {
                        return n;
                    }
                }
            }
            return 0;
        }
    }

    @Override
    public String toString() {
        return "Redactor" + Arrays.toString(values.stream().map(Value::name).toArray());
    }
}
