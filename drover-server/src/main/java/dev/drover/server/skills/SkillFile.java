package dev.drover.server.skills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed {@code SKILL.md}: YAML front matter between {@code ---} lines, then the Markdown body, which is the
 * skill's instructions. {@code name} defaults to the folder's name, {@code description} to the body's first
 * paragraph (at most {@value #MAX_DESCRIPTION} characters); the other string keys of the front matter are kept.
 * A file whose front matter does not parse as a YAML mapping is malformed: {@code error} says why.
 */
public record SkillFile(String name, String description, String body, Map<String, String> attributes, String error) {
    static final int MAX_DESCRIPTION = 512;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public boolean malformed() {
        return error != null;
    }

    /** Parses {@code text}, the content of {@code <folder>/SKILL.md}. */
    public static SkillFile parse(String folder, String text) {
        String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
        content = content.replace("\r\n", "\n");
        String frontMatter = null;
        String body = content;
        if (content.startsWith("---\n") || content.equals("---")) {
            int end = content.indexOf("\n---", 3);
            while (end >= 0 && !(end + 4 == content.length() || content.charAt(end + 4) == '\n')) {
                end = content.indexOf("\n---", end + 4);
            }
            if (end < 0) {
                return new SkillFile(folder, "", content, Map.of(), "the front matter opened by --- on the first line is never closed");
            }
            frontMatter = content.substring(4, end + 1);
            body = end + 4 >= content.length() ? "" : content.substring(end + 5);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        if (frontMatter != null && !frontMatter.isBlank()) {
            JsonNode tree;
            try {
                tree = YAML.readTree(frontMatter);
            } catch (java.io.IOException e) {
                return new SkillFile(folder, "", body.strip(), Map.of(), "the front matter is not valid YAML: "
                        + firstLine(e.getMessage()));
            }
            if (tree != null && !tree.isNull() && !tree.isObject()) {
                return new SkillFile(folder, "", body.strip(), Map.of(), "the front matter must be a YAML mapping of keys to values");
            }
            if (tree != null) {
                tree.fields().forEachRemaining(f -> {
                    if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                        attributes.put(f.getKey(), f.getValue().asText());
                    }
                });
                for (String key : new String[] {"name", "description"}) {
                    JsonNode v = tree.get(key);
                    if (v != null && !v.isNull() && !v.isValueNode()) {
                        return new SkillFile(folder, "", body.strip(), Map.of(), "the front matter's " + key + " must be a string");
                    }
                }
            }
        }
        String name = nonBlank(attributes.remove("name"), folder);
        String description = nonBlank(attributes.remove("description"), firstParagraph(body));
        return new SkillFile(name.strip(), cut(description.strip()), body.strip(), Map.copyOf(attributes), null);
    }

    /** The first paragraph of Markdown text, headings skipped, as one line. */
    static String firstParagraph(String body) {
        StringBuilder p = new StringBuilder();
        for (String line : body.split("\n", -1)) {
            String t = line.strip();
            if (t.isEmpty()) {
                if (!p.isEmpty()) {
                    break;
                }
                continue;
            }
            if (p.isEmpty() && t.startsWith("#")) {
                continue;
            }
            if (!p.isEmpty()) {
                p.append(' ');
            }
            p.append(t);
        }
        return p.toString();
    }

    private static String cut(String s) {
        return s.length() <= MAX_DESCRIPTION ? s : s.substring(0, MAX_DESCRIPTION);
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
