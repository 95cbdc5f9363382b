package dev.drover.server.badinput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drover.api.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Generates bad requests for every operation of an OpenAPI document: wrong types, missing required members,
 * NUL, 2 MB strings, values outside their bounds, 10,000-deep nesting, invalid UTF-8 and bad escapes in bodies;
 * unknown, malformed, traversing and badly escaped ids; bad query values and cursors; huge and bogus headers.
 * Valid ids and valid bodies come from the caller ({@code pathValues}, {@code baselines}), so that each request
 * is wrong in exactly one place and the answer can be checked to name that place.
 */
final class BadRequests {
    static final String HUGE = "x".repeat(2 * 1024 * 1024);
    private static final int DEEP = 10_000;
    private static final String UNKNOWN_ID = UUID.randomUUID().toString();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode doc;
    private final String base;
    private final Map<String, String> pathValues;
    private final Map<String, String> baselines;
    private final Map<String, String> auth;
    private final Map<String, String> queryValues;
    private final Map<String, Integer> hugeSizes;
    private final java.util.Set<String> anyValueParams;

    /**
     * @param base the API's path prefix ({@code /api/v1})
     * @param pathValues a valid value for every path parameter name
     * @param baselines a valid body per operation ({@code "POST /agent/runs"}); never sent unchanged
     * @param auth the Authorization header per path prefix, longest prefix first
     */
    BadRequests(JsonNode doc, String base, Map<String, String> pathValues, Map<String, String> baselines,
            Map<String, String> auth) {
        this(doc, base, pathValues, baselines, auth, Map.of(), Map.of(), java.util.Set.of());
    }

    /**
     * @param queryValues valid values of query parameters another one needs alongside ({@code run_ids})
     * @param hugeSizes a larger "huge" for members whose limit is above 2 MB ({@code attachments[0].data})
     * @param anyValueParams path parameters whose operation answers every value (the spec's session redirect)
     */
    BadRequests(JsonNode doc, String base, Map<String, String> pathValues, Map<String, String> baselines,
            Map<String, String> auth, Map<String, String> queryValues, Map<String, Integer> hugeSizes,
            java.util.Set<String> anyValueParams) {
        this.queryValues = queryValues;
        this.hugeSizes = hugeSizes;
        this.anyValueParams = anyValueParams;
        this.doc = doc;
        this.base = base;
        this.pathValues = pathValues;
        this.baselines = baselines;
        this.auth = auth;
    }

    List<Probe> all() {
        List<Probe> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (List.of("get", "post", "put", "delete", "patch").contains(op.getKey())) {
                    out.addAll(forOperation(op.getKey().toUpperCase(), path.getKey(), op.getValue()));
                }
            }
        }
        return out;
    }

    private List<Probe> forOperation(String method, String path, JsonNode op) {
        String name = method + " " + path;
        List<Probe> out = new ArrayList<>();
        List<JsonNode> params = new ArrayList<>();
        op.path("parameters").forEach(p -> params.add(resolve(p)));
        JsonNode bodySchema = op.path("requestBody").path("content").path("application/json").path("schema");
        byte[] validBody = bodySchema.isMissingNode() ? null
                : baselines.getOrDefault(name, "{}").getBytes(StandardCharsets.UTF_8);
        // without a known valid body only the probes a parser must refuse are sent: with {} a 2 MB member could
        // be refused for a missing sibling first, which says nothing about the member
        boolean semantic = baselines.containsKey(name);
        String target = base + fill(path, null, null);

        // path parameters: unknown, malformed, traversing, badly escaped
        for (JsonNode p : params) {
            if (p.path("in").asText().equals("path")) {
                String param = p.get("name").asText();
                for (String bad : List.of(UUID.randomUUID().toString(), "not-an-id", "..", "%2F", "a%2Fb", "%2e%2e",
                        "%00", "a%00b", "%ZZ", "%", "%C0%AF", "%FF%FE", "x".repeat(3000), "%E2%80%AE", "'%20OR%201=1--")) {
                    // a dot segment is resolved before routing, as RFC 3986 says: it may reach another operation
                    out.add(probe(name, "path " + param + "=" + abbreviate(bad), method, base + fill(path, param, bad),
                            Map.of(), validBody, !bad.equals("..") && !bad.equals("%2e%2e") && !anyValueParams.contains(param), List.of(param, "path", "request")));
                }
            }
        }
        // query parameters and headers the operation declares
        for (JsonNode p : params) {
            String in = p.path("in").asText();
            String param = p.get("name").asText();
            JsonNode schema = resolve(p.path("schema"));
            if (in.equals("query")) {
                for (String[] bad : badQueryValues(param, schema)) {
                    boolean typed = bad[1].equals("typed");
                    String query = param.equals("metadata") ? "metadata%5Bk%5D=" + bad[0] : param + "=" + bad[0];
                    for (JsonNode other : params) {
                        String otherName = other.get("name").asText();
                        if (other.path("in").asText().equals("query") && !otherName.equals(param)
                                && queryValues.containsKey(otherName)) {
                            query += "&" + otherName + "=" + queryValues.get(otherName);
                        }
                    }
                    out.add(probe(name, "query " + abbreviate(query), method, target + "?" + query, Map.of(), validBody,
                            typed, List.of(param, "request")));
                }
            } else if (in.equals("header") && validBody != null) {
                List<String> values = param.equals("Idempotency-Key") ? List.of("", " ", "x".repeat(300))
                        : List.of("", " ", "x".repeat(300), "NOT_A_VALUE");
                for (String bad : values) {
                    out.add(probe(name, "header " + param + "=" + abbreviate(bad), method, target, Map.of(param, bad),
                            mutate(validBody, List.of("prompt"), NODES.textNode("header probe " + UUID.randomUUID())),
                            !param.equals("Last-Event-ID"), List.of(param)));
                }
            }
        }
        // the request's head
        out.add(probe(name, "a 60 KB header", method, target, Map.of("X-Big", "y".repeat(60 * 1024)), validBody, true,
                List.of("headers", "request")));
        out.add(probe(name, "a 10 KB path segment", method, target + "/" + "z".repeat(10 * 1024), Map.of(), validBody,
                true, List.of("path", "request")));
        out.add(probe(name, "a path escaping /api/v1 as is", method, base + "/../../etc/passwd", Map.of(), validBody,
                true, List.of("path", "request")));
        out.add(probe(name, "a trailing slash", method, target + "/", Map.of(), validBody, false,
                List.of("path", "request")));
        if (validBody != null) {
            out.addAll(forBody(name, method, target, bodySchema, validBody, semantic));
        }
        return out;
    }

    private List<Probe> forBody(String name, String method, String target, JsonNode schema, byte[] valid,
            boolean semantic) {
        List<Probe> out = new ArrayList<>();
        List<String> body = List.of("body");
        String first = parse(valid).fieldNames().hasNext() ? parse(valid).fieldNames().next() : "x";
        List<String> bodyOrFirst = List.of("body", first);
        Map<String, byte[]> wholeBodies = new LinkedHashMap<>();
        wholeBodies.put("no body", new byte[0]);
        wholeBodies.put("a blank body", "  \n".getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("null", "null".getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("an array body", "[]".getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("a number body", "42".getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("a string body", "\"x\"".getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("truncated JSON", "{\"a\":".getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("trailing garbage", (new String(valid, StandardCharsets.UTF_8) + " x").getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("arrays 10,000 deep", ("[".repeat(DEEP) + "]".repeat(DEEP)).getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("objects 10,000 deep", ("{\"a\":".repeat(DEEP) + "1" + "}".repeat(DEEP)).getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("a member nested 10,000 deep", ("{\"" + first + "\":" + "{\"a\":".repeat(DEEP) + "1"
                + "}".repeat(DEEP) + "}").getBytes(StandardCharsets.UTF_8));
        wholeBodies.put("invalid UTF-8", withRawString(first, new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF}));
        wholeBodies.put("an overlong UTF-8 slash", withRawString(first, new byte[] {(byte) 0xC0, (byte) 0xAF}));
        wholeBodies.put("a raw NUL byte", withRawString(first, new byte[] {'a', 0, 'b'}));
        wholeBodies.put("a bad escape", withRawString(first, "\\q".getBytes(StandardCharsets.UTF_8)));
        wholeBodies.put("a short unicode escape", withRawString(first, "\\u12G4".getBytes(StandardCharsets.UTF_8)));
        wholeBodies.put("a 5,000-digit number", ("{\"" + first + "\":" + "9".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : wholeBodies.entrySet()) {
            out.add(probe(name, e.getKey(), method, target, json(), e.getValue(), true, bodyOrFirst));
        }
        // unknown members are ignored (the compatibility contract): the answer names a missing member, any one
        out.add(probe(name, "a 200,000-member object", method, target, json(), bigObject(),
                resolve(schema).path("required").size() > 0, List.of()));
        out.add(probe(name, "a bogus Content-Encoding", method, target, Map.of("Content-Type", "application/json",
                "Content-Encoding", "bogus"), valid, true, List.of("Content-Encoding", "request", "body")));
        out.add(probe(name, "gzip Content-Encoding over plain bytes", method, target, Map.of("Content-Type",
                "application/json", "Content-Encoding", "gzip"), valid, true, List.of("Content-Encoding", "request", "body")));
        // member by member
        walk(resolve(schema), new ArrayList<>(), 0, (path, s) -> {
            String field = render(path);
            List<String> names = List.of(field);
            for (JsonNode wrong : wrongTypes(s)) {
                out.add(probe(name, field + " = " + abbreviate(wrong.toString()), method, target, json(),
                        mutate(valid, path, wrong), true, names));
            }
            if (type(s).equals("string")) {
                out.add(probe(name, field + " containing NUL", method, target, json(),
                        mutate(valid, path, NODES.textNode("a\u0000b")), true, names));
            }
            if (!semantic) {
                return;
            }
            if (type(s).equals("string")) {
                int size = hugeSizes.getOrDefault(field, HUGE.length());
                out.add(probe(name, field + " of " + size / 1024 + " KiB", method, target, json(),
                        mutate(valid, path, NODES.textNode(size == HUGE.length() ? HUGE : "x".repeat(size))), true, names));
                if (s.has("enum")) {
                    out.add(probe(name, field + " outside its enum", method, target, json(),
                            mutate(valid, path, NODES.textNode("NOT_A_VALUE")), true, names));
                }
            }
            if (s.has("minimum")) {
                out.add(probe(name, field + " below its minimum", method, target, json(),
                        mutate(valid, path, NODES.numberNode(s.get("minimum").asLong() - 1)), true, names));
            }
            if (s.has("maximum")) {
                out.add(probe(name, field + " above its maximum", method, target, json(),
                        mutate(valid, path, NODES.numberNode(s.get("maximum").asLong() + 1)), true, names));
            }
        });
        // required members left out
        JsonNode resolved = resolve(schema);
        for (JsonNode required : semantic ? resolved.path("required") : NODES.arrayNode()) {
            String field = required.asText();
            ObjectNode without = (ObjectNode) parse(valid);
            if (without.has(field)) {
                without.remove(field);
                out.add(probe(name, "no " + field, method, target, json(), bytes(without), true, List.of(field)));
            }
        }
        return out;
    }

    interface Visitor {
        void visit(List<Object> path, JsonNode schema);
    }

    /** Every member reachable through objects, maps and the first item of arrays, to depth 4. */
    private void walk(JsonNode schema, List<Object> path, int depth, Visitor visitor) {
        if (depth > 4) {
            return;
        }
        if (!path.isEmpty()) {
            visitor.visit(path, schema);
        }
        String type = type(schema);
        if (type.equals("object")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                List<Object> next = new ArrayList<>(path);
                next.add(p.getKey());
                walk(resolve(p.getValue()), next, depth + 1, visitor);
            }
            JsonNode extra = schema.path("additionalProperties");
            if (extra.isObject() && !schema.has("properties")) {
                List<Object> next = new ArrayList<>(path);
                next.add("k");
                walk(resolve(extra), next, depth + 1, visitor);
            }
        } else if (type.equals("array") && schema.has("items")) {
            List<Object> next = new ArrayList<>(path);
            next.add(0);
            walk(resolve(schema.get("items")), next, depth + 1, visitor);
        }
    }

    private static List<JsonNode> wrongTypes(JsonNode schema) {
        return switch (type(schema)) {
            case "string" -> List.of(NODES.numberNode(12345), NODES.objectNode().put("a", 1), NODES.booleanNode(true));
            case "integer" -> List.of(NODES.textNode("5"), NODES.numberNode(1.5), NODES.objectNode(),
                    NODES.numberNode(new java.math.BigInteger("99999999999999999999999")));
            case "number" -> List.of(NODES.textNode("5"), NODES.arrayNode());
            case "boolean" -> List.of(NODES.textNode("true"), NODES.numberNode(1));
            case "array" -> List.of(NODES.objectNode(), NODES.textNode("x"));
            case "object" -> List.of(NODES.arrayNode(), NODES.textNode("x"), NODES.numberNode(5));
            default -> List.of();
        };
    }

    /** {value, "typed"|"free"}: typed values are certainly wrong; a free-text value may be a valid filter. */
    private static List<String[]> badQueryValues(String param, JsonNode schema) {
        List<String[]> out = new ArrayList<>();
        String type = type(schema);
        boolean enumerated = schema.has("enum") || schema.path("items").has("enum");
        if (type.equals("integer")) {
            for (String v : List.of("-1", "abc", "1.5", "99999999999999999999", "0x10")) {
                out.add(new String[] {v, "typed"});
            }
        }
        if (type.equals("boolean")) {
            out.add(new String[] {"maybe", "typed"});
        }
        if (enumerated) {
            out.add(new String[] {"NOT_A_VALUE", "typed"});
        }
        if ("date-time".equals(schema.path("format").asText())) {
            out.add(new String[] {"yesterday", "typed"});
        }
        if (param.equals("cursor")) {
            out.add(new String[] {"garbage!", "typed"});
            out.add(new String[] {"eyJ4IjoxfQ", "typed"}); // base64url of {"x":1}
        }
        if (param.endsWith("run_ids") || param.endsWith("_run_id") || param.equals("schedule_id")) {
            out.add(new String[] {"not-an-id", "free"});
        }
        for (String v : List.of("%00", "a%00b", "%ZZ", "%", "%C0%AF", "x".repeat(5000), "%E2%80%AE")) {
            out.add(new String[] {v, v.contains("%00") || v.startsWith("%ZZ") || v.equals("%") ? "typed" : "free"});
        }
        return out;
    }

    private Probe probe(String operation, String what, String method, String target, Map<String, String> headers,
            byte[] body, boolean mustRefuse, List<String> names) {
        Map<String, String> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : auth.entrySet()) {
            if (operation.substring(operation.indexOf(' ') + 1).startsWith(a.getKey())) {
                all.put("Authorization", a.getValue());
                break;
            }
        }
        all.putAll(headers);
        return new Probe(operation, what, method, target, all, body, mustRefuse, names);
    }

    private static Map<String, String> json() {
        return Map.of("Content-Type", "application/json");
    }

    private String fill(String path, String param, String bad) {
        String out = param == null ? path : path.replace("{" + param + "}", bad);
        for (Map.Entry<String, String> v : pathValues.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getValue());
        }
        // an id this generator was given no valid value for (a new endpoint): an unknown one, so the operation
        // still gets every probe, answered 404 where it looks the id up first
        return out.replaceAll("\\{[^}/]+}", UNKNOWN_ID);
    }

    /** Follows {@code $ref} and merges {@code allOf} into one object schema. */
    JsonNode resolve(JsonNode schema) {
        while (schema.has("$ref")) {
            String[] ref = schema.get("$ref").asText().substring(2).split("/");
            JsonNode target = doc;
            for (String part : ref) {
                target = target.path(part);
            }
            schema = target;
        }
        if (schema.has("allOf")) {
            ObjectNode merged = NODES.objectNode().put("type", "object");
            ObjectNode properties = merged.putObject("properties");
            ArrayNode required = merged.putArray("required");
            for (JsonNode part : schema.get("allOf")) {
                JsonNode r = resolve(part);
                r.path("properties").fields().forEachRemaining(p -> properties.set(p.getKey(), p.getValue()));
                r.path("required").forEach(required::add);
            }
            return merged;
        }
        return schema;
    }

    private static String type(JsonNode schema) {
        if (schema.has("type")) {
            return schema.get("type").asText();
        }
        return schema.has("properties") || schema.has("additionalProperties") ? "object" : "";
    }

    private static JsonNode parse(byte[] json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("a baseline is not JSON", e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The valid body with the member at {@code path} replaced by {@code value} (intermediate members created). */
    static byte[] mutate(byte[] valid, List<Object> path, JsonNode value) {
        JsonNode root = parse(valid);
        JsonNode at = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object seg = path.get(i);
            boolean nextIsIndex = path.get(i + 1) instanceof Integer;
            JsonNode child = seg instanceof Integer n ? at.path(n) : at.path((String) seg);
            if (child.isMissingNode() || child.isNull() || (nextIsIndex ? !child.isArray() : !child.isObject())) {
                child = nextIsIndex ? NODES.arrayNode() : NODES.objectNode();
                if (seg instanceof Integer) {
                    ArrayNode array = (ArrayNode) at;
                    while (array.size() <= (Integer) seg) {
                        array.add(NODES.objectNode());
                    }
                    array.set((Integer) seg, child);
                } else {
                    ((ObjectNode) at).set((String) seg, child);
                }
            }
            at = child;
        }
        Object last = path.getLast();
        if (last instanceof Integer n) {
            ArrayNode array = (ArrayNode) at;
            while (array.size() <= n) {
                array.add(NODES.nullNode());
            }
            array.set(n, value);
        } else {
            ((ObjectNode) at).set((String) last, value);
        }
        return bytes(root);
    }

    static String render(List<Object> path) {
        StringBuilder out = new StringBuilder();
        for (Object seg : path) {
            if (seg instanceof Integer n) {
                out.append('[').append(n).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(seg);
            }
        }
        return out.toString();
    }

    private static byte[] withRawString(String member, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("{\"" + member + "\":\"").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(raw);
        out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] bigObject() {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < 200_000; i++) {
            out.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
        }
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…(" + s.length() + ")" : s;
    }
}
