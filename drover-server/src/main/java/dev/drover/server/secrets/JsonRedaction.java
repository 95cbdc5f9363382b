package dev.drover.server.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.drover.api.Redactor;
import java.util.ArrayList;
import java.util.List;

/** Secret values taken out of a request body an agent sends, before it is read into its record. */
public final class JsonRedaction {
    private JsonRedaction() {}

    /** Redacts every text of a JSON document in place (a request body, before it is read into its record). */
    public static JsonNode redact(JsonNode node, Redactor redactor) {
        if (redactor.isEmpty()) {
            return node;
        }
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                o.set(name, redact(o.get(name), redactor));
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, redact(a.get(i), redactor));
            }
            return a;
        }
        if (node instanceof TextNode t) {
            return TextNode.valueOf(redactor.redact(t.textValue()));
        }
        return node;
    }
}
