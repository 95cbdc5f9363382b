package dev.drover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drover.api.Json;

/** Printing helpers shared by the HTTP commands. */
final class Output {
    private Output() {}

    static String json(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
