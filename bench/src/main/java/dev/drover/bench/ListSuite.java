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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The list suite: {@code GET /agent/runs} over {@link ListHistory}'s runs, one query per filter the API has and
 * one per sort and direction, each on its first page and on a deep page (the cursor of page {@code pagesDeep},
 * reached by following {@code next_cursor} from the first). One client, one request at a time; p50/p99 per page.
 */
final class ListSuite {
    /** One query's two pages; {@code deepPage} is the page the deep figure was taken at (the last one if fewer). */
    record Result(String label, double firstP50, double firstP99, int firstItems, int deepPage, double deepP50,
            double deepP99, int deepItems, boolean q) {}

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String key;

    ListSuite(String apiBase, String key) {
        this.base = apiBase;
        this.key = key;
    }

    /** The queries, by label (the label is the query string but the limit, shown in the report). */
    static Map<String, String> queries(ListHistory.Loaded h) {
        Instant firstDay = Instant.ofEpochSecond(0, h.firstCreatedMicros() * 1000).truncatedTo(ChronoUnit.SECONDS);
        Instant mid = firstDay.plus(180, ChronoUnit.DAYS);
        Instant lastDay = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> q = new LinkedHashMap<>();
        for (String sort : List.of("updated_at", "created_at", "title", "agent")) {
            for (String order : List.of("desc", "asc")) {
                q.put("sort_by=" + sort + "&sort_order=" + order, "sort_by=" + sort + "&sort_order=" + order);
            }
        }
        q.put("state=FAILED", "state=FAILED");
        q.put("state=QUEUED", "state=QUEUED");
        q.put("state=QUEUED&state=INPROGRESS", "state=QUEUED&state=INPROGRESS");
        q.put("task_status=failed", "task_status=failed");
        q.put("source=SCHEDULED_AGENT", "source=SCHEDULED_AGENT");
        q.put("source=SLACK", "source=SLACK");
        q.put("creator=(a 30 % creator)", "creator=" + h.creators().getFirst());
        q.put("creator=(a 0.5 % service account)", "creator=" + h.rareCreator());
        q.put("executor=(the 0.5 % service account)", "executor=" + h.rareCreator());
        q.put("name=agent-07", "name=agent-07");
        q.put("model_id=gpt-5", "model_id=gpt-5");
        q.put("skill=acme/skills:deploy", "skill=acme/skills:deploy");
        q.put("environment_id=env3", "environment_id=env3");
        q.put("environment_id=empty-environment", "environment_id=empty-environment");
        q.put("execution_location=REMOTE", "execution_location=REMOTE");
        q.put("schedule_id=sched-07", "schedule_id=sched-07");
        q.put("metadata[module]=inventory", "metadata%5Bmodule%5D=inventory");
        q.put("metadata[ticket]=(one run)", "metadata%5Bticket%5D=" + h.rareTicket());
        q.put("created_after=(180 days ago)", "created_after=" + mid);
        q.put("created_after&created_before (one day, 6 months ago)", "created_after=" + mid + "&created_before="
                + mid.plus(1, ChronoUnit.DAYS));
        q.put("updated_after=(yesterday)", "updated_after=" + lastDay);
        q.put("state=FAILED&name=agent-07", "state=FAILED&name=agent-07");
        q.put("source=SCHEDULED_AGENT&sort_by=created_at", "source=SCHEDULED_AGENT&sort_by=created_at");
        q.put("skill=acme/skills:deploy&sort_by=title&sort_order=asc", "skill=acme/skills:deploy&sort_by=title&sort_order=asc");
        q.put("q=" + h.searchTerm(), "q=" + h.searchTerm());
        q.put("q=" + h.rareTicket() + " (one run)", "q=" + h.rareTicket());
        q.put("q=refactor the retry", "q=" + URLEncoder.encode("refactor the retry", StandardCharsets.UTF_8));
        q.put("q=" + h.searchTerm() + "&state=FAILED", "q=" + h.searchTerm() + "&state=FAILED");
        q.put("q=zz (two characters, no match)", "q=zz");
        // both characters are in every run of the history, never side by side
        q.put("q=xq (two common characters, no match)", "q=xq");
        q.put("q=th (two characters, common)", "q=th");
        q.put("q=e (one character, common)", "q=e");
        q.put("q=# (one character, no match)", "q=%23");
        return q;
    }

    /**
     * Checks that the server takes the loaded database as its own: the newest run of the listing, read back with
     * {@code GET /agent/runs/{id}}; returns its id and title.
     */
    String readOne() {
        JsonNode first = get("limit=1").path("runs").path(0);
        String id = first.path("run_id").asText(null);
        if (id == null) {
            throw new IllegalStateException("the loaded database lists no runs");
        }
        JsonNode run = getJson("/agent/runs/" + id);
        if (!id.equals(run.path("run_id").asText())) {
            throw new IllegalStateException("GET /agent/runs/" + id + " answered another run: " + run);
        }
        return id + " (" + run.path("title").asText() + ")";
    }

    List<Result> run(ListHistory.Loaded h, java.util.regex.Pattern only, int pagesDeep, int warmup, int samples,
            java.util.function.Consumer<String> step) {
        List<Result> out = new ArrayList<>();
        for (Map.Entry<String, String> e : queries(h).entrySet()) {
            if (only != null && !only.matcher(e.getKey()).find()) {
                continue;
            }
            String first = "limit=20&" + e.getValue();
            JsonNode body = get(first);
            int firstItems = body.path("runs").size();
            String cursor = null;
            int page = 1;
            int deepItems = firstItems;
            String deep = first;
            for (String next = body.path("page_info").path("next_cursor").asText(null); next != null && page < pagesDeep;
                    next = body.path("page_info").path("next_cursor").asText(null)) {
                cursor = next;
                deep = first + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
                body = get(deep);
                deepItems = body.path("runs").size();
                page++;
            }
            long[] firstNanos = time(first, warmup, samples);
            long[] deepNanos = time(deep, warmup, samples);
            Result r = new Result(e.getKey(), ms(firstNanos, 0.5), ms(firstNanos, 0.99), firstItems, page,
                    ms(deepNanos, 0.5), ms(deepNanos, 0.99), deepItems, e.getKey().startsWith("q="));
            step.accept("%s: first %.1f / %.1f ms (%d), page %d %.1f / %.1f ms (%d)".formatted(r.label(), r.firstP50(),
                    r.firstP99(), r.firstItems(), r.deepPage(), r.deepP50(), r.deepP99(), r.deepItems()));
            out.add(r);
        }
        return out;
    }

    /** A request slower than this is a known miss: timed 10 times after 1 warm-up, not minutes on end. */
    private static final long SLOW_NANOS = 500_000_000L;

    private long[] time(String query, int warmup, int samples) {
        long t = System.nanoTime();
        get(query);
        if (System.nanoTime() - t > SLOW_NANOS) {
            warmup = 0;
            samples = Math.min(samples, 10);
        }
        for (int i = 0; i < warmup; i++) {
            get(query);
        }
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            get(query);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double ms(long[] sorted, double q) {
        return Samples.percentile(sorted, q) / 1e6;
    }

    private JsonNode get(String query) {
        return getJson("/agent/runs?" + query);
    }

    private JsonNode getJson(String path) {
        String query = path;
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key).GET().build();
        try {
            HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("GET " + query + " answered " + res.statusCode() + ": "
                        + new String(res.body(), StandardCharsets.UTF_8));
            }
            return Json.mapper().readTree(res.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + query + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
