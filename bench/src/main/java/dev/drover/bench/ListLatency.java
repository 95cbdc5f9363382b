package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency of {@code GET /agent/runs} over a large history: one client, one request at a time (what a UI or
 * the SDK's auto-pagination does), a warm-up first, then p50/p99 per query.
 */
final class ListLatency {
    /** One query's latencies in milliseconds, and how many runs its page held (a sanity check). */
    record Result(String query, double p50, double p99, int items) {}

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String key;

    ListLatency(String apiBase, String key) {
        this.base = apiBase;
        this.key = key;
    }

    /** The queries measured, by label: the first page, a page deep in, a filter, another sort, search. */
    static Map<String, String> queries(BulkLoad.Loaded loaded, int pagesDeep, String deepCursor) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("first page (sort updated_at)", "limit=20");
        q.put("page " + pagesDeep + " via cursor", "limit=20&cursor=" + encode(deepCursor));
        q.put("state=FAILED&name=agent-07", "limit=20&state=FAILED&name=agent-07");
        q.put("metadata[module]=" + loaded.metadataModule(), "limit=20&metadata%5Bmodule%5D=" + loaded.metadataModule());
        q.put("sort_by=title", "limit=20&sort_by=title");
        q.put("q=" + loaded.searchTerm(), "limit=20&q=" + encode(loaded.searchTerm()));
        return q;
    }

    List<Result> run(BulkLoad.Loaded loaded, int pagesDeep, int warmup, int samples) {
        // follow the cursors from the first page; the deep page is then requested again and again with the same
        // cursor (a cursor pins its snapshot, so every repetition does the same work)
        String cursor = null;
        for (int page = 1; page < pagesDeep; page++) {
            JsonNode body = get("limit=20" + (cursor == null ? "" : "&cursor=" + encode(cursor)));
            cursor = body.path("page_info").path("next_cursor").asText(null);
            if (cursor == null) {
                throw new IllegalStateException("the list ended after " + page + " pages");
            }
        }
        Map<String, String> all = queries(loaded, pagesDeep, cursor);
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, String> e : all.entrySet()) {
            int items = get(e.getValue()).path("runs").size();
            if (items == 0) {
                throw new IllegalStateException("\"" + e.getKey() + "\" returned no runs; the benchmark would measure nothing");
            }
            for (int i = 0; i < warmup; i++) {
                get(e.getValue());
            }
            long[] nanos = new long[samples];
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                get(e.getValue());
                nanos[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(nanos);
            results.add(new Result(e.getKey(), Samples.percentile(nanos, 0.50) / 1e6,
                    Samples.percentile(nanos, 0.99) / 1e6, items));
        }
        return results;
    }

    private JsonNode get(String query) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/agent/runs?" + query))
                .header("Authorization", "Bearer " + key).GET().build();
        try {
            HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("GET /agent/runs?" + query + " answered " + res.statusCode() + ": "
                        + new String(res.body(), StandardCharsets.UTF_8));
            }
            return Json.mapper().readTree(res.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET /agent/runs?" + query + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
