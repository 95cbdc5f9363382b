package dev.drover.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Members of the Oz API (or its newer SDK) that Drover has no behaviour for and no record component to carry:
 * unknown members are ignored by design (the compatibility contract), so these would be dropped without a word.
 * A body naming one of them (with any value but null) is refused with a 400 naming it instead.
 */
public final class UnsupportedFields {
    private UnsupportedFields() {}

    /** A body transform for {@link JsonBodies#read(io.helidon.webserver.http.ServerRequest, Class, UnaryOperator)}. */
    public static UnaryOperator<JsonNode> refusing(List<String> paths, String why) {
        return tree -> {
            refuse(tree, paths, why);
            return tree;
        };
    }

    /** Throws a 400 naming the first of {@code paths} (dot-separated members) present in {@code tree}. */
    public static void refuse(JsonNode tree, List<String> paths, String why) {
        for (String path : paths) {
            JsonNode node = tree;
            for (String member : path.split("\\.")) {
                node = node == null || !node.isObject() ? null : node.get(member);
            }
            if (node != null && !node.isNull()) {
                throw ApiException.badRequest(path, why);
            }
        }
    }
}
