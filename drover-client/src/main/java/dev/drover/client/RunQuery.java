package dev.drover.client;

import dev.drover.api.RunState;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Filters and order of a runs listing, built fluently and encoded as the server expects. */
public final class RunQuery {
    private final Map<String, List<String>> params = new LinkedHashMap<>();

    public static RunQuery all() {
        return new RunQuery();
    }

    public RunQuery state(RunState state) {
        return add("state", state.name());
    }

    public RunQuery name(String name) {
        return add("name", name);
    }

    /** Runs created by this principal; an agent identity's uid lists the runs that acted as it. */
    public RunQuery creator(String uid) {
        return add("creator", uid);
    }

    public RunQuery metadata(String key, String value) {
        return add("metadata[" + key + "]", value);
    }

    public RunQuery search(String q) {
        return add("q", q);
    }

    public RunQuery sortBy(String field, boolean descending) {
        add("sort_by", field);
        return add("sort_order", descending ? "desc" : "asc");
    }

    public RunQuery limit(int limit) {
        params.remove("limit");
        return add("limit", Integer.toString(limit));
    }

    /** Any other filter of {@code GET /agent/runs}, by its query parameter name. */
    public RunQuery param(String name, String value) {
        return add(name, value);
    }

    private RunQuery add(String name, String value) {
        params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    String encode(String cursor) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, vs) -> vs.forEach(v -> append(out, k, v)));
        if (cursor != null) {
            append(out, "cursor", cursor);
        }
        return out.toString();
    }

    private static void append(StringBuilder out, String k, String v) {
        out.append(out.isEmpty() ? "?" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    }
}
