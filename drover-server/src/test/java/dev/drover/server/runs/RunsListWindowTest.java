package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A created-date window listed in another order (CreatedWindow): a narrow window's runs are read and sorted (on
 * PostgreSQL by a sort key no index yields) instead of the sort's index being walked. The runs, their order and
 * the pages must be those of the unfiltered listing, filtered; runs updated while paging do not move.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunsListWindowTest {
    TestServer server;
    /** The server's clock, moved by the test: the window's bounds fall between runs without waiting for time to pass. */
    final MovableClock clock = new MovableClock(Instant.parse("2026-06-02T08:00:00Z"));

    abstract Backend backend();

    @BeforeAll
    void start() {
        server = TestServer.start(backend(), backend().freshConfig().withEnv(Map.of("OPENAI_API_KEY", "sk-test")), clock);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String create(Api api, String prompt) {
        clock.advance(Duration.ofMillis(1)); // each run its own created_at, as runs created one after another have
        Api.Reply r = api.post("/agent/runs", Api.toJson(Map.of("prompt", prompt, "title", "t" + prompt.length() % 3)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("run_id").asText();
    }

    private static List<String> listAll(Api api, String query) {
        Api.Reply r = api.get("/agent/runs?limit=500&" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return RunsApiTest.ids(r.json());
    }

    /** A bound between the runs created before and after it. */
    private Instant pause() {
        clock.advance(Duration.ofSeconds(1));
        Instant at = clock.instant();
        clock.advance(Duration.ofSeconds(1));
        return at;
    }

    @ParameterizedTest(name = "sort_by={0} sort_order={1}")
    @CsvSource({"updated_at,desc", "updated_at,asc", "title,asc"})
    void aCreatedWindowInAnotherOrderListsAndPagesAsTheWholeListingFiltered(String sortBy, String order) {
        Api api = server.newTenant("window-" + UUID.randomUUID());
        Api stranger = server.newTenant("window-stranger-" + UUID.randomUUID());
        for (int i = 0; i < 4; i++) {
            create(api, "before " + i);
        }
        Instant after = pause();
        List<String> inside = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            inside.add(create(api, "inside " + i + "x".repeat(i)));
            create(stranger, "theirs " + i);
        }
        Instant before = pause();
        for (int i = 0; i < 4; i++) {
            create(api, "after " + i);
        }
        // an older run of the window changes, so that updated_at and created_at orders differ
        assertThat(api.post("/agent/runs/" + inside.get(2) + "/cancel", (String) null).status()).isEqualTo(200);
        String sort = "sort_by=" + sortBy + "&sort_order=" + order;
        String window = "created_after=" + after + "&created_before=" + before;
        List<String> whole = listAll(api, sort);
        List<String> expected = whole.stream().filter(inside::contains).toList();
        assertThat(expected).hasSize(inside.size());
        assertThat(listAll(api, window + "&" + sort)).containsExactlyElementsOf(expected);
        List<String> paged = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 20; page++) {
            Api.Reply r = api.get("/agent/runs?limit=3&" + window + "&" + sort + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            paged.addAll(RunsApiTest.ids(r.json()));
            JsonNode info = r.json().get("page_info");
            if (!info.get("has_next_page").asBoolean()) {
                break;
            }
            cursor = URLEncoder.encode(info.get("next_cursor").asText(), StandardCharsets.UTF_8);
        }
        assertThat(paged).containsExactlyElementsOf(expected);
    }
}
