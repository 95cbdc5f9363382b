package dev.drover.server.badinput;

import java.util.Map;

/**
 * One generated bad request and what its answer must name. {@code names} are the acceptable first words of a
 * 400's {@code detail} (a body member's JSON path, a parameter, or a part of the request such as {@code body});
 * {@code mustRefuse} says the request is bad for certain (4xx), otherwise only "no 5xx, problem+json" holds (a
 * free-text filter may legitimately match nothing).
 */
record Probe(String operation, String what, String method, String target, Map<String, String> headers, byte[] body,
        boolean mustRefuse, java.util.List<String> names) {

    @Override
    public String toString() {
        return operation + " with " + what;
    }
}
