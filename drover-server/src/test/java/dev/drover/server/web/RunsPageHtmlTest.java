package dev.drover.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.AgentSkill;
import dev.drover.api.Json;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.PageInfo;
import dev.drover.api.RunItem;
import dev.drover.api.RunSourceType;
import dev.drover.api.RunState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The runs page's server-rendered rows: hostile text from agents stays text in every place it lands. */
class RunsPageHtmlTest {
    static final String XSS = "<img src=x onerror=\"alert(1)\"></a><script>alert(2)</script>' onfocus='alert(3)";

    static RunItem run(String id, String title, RunState state, String skill) {
        Instant at = Instant.parse("2026-12-02T01:02:03Z");
        return new RunItem(id, id, title, state, null, "the prompt " + XSS, at, at, null, null, RunSourceType.API,
                null, null, null, null, null, null, null, null, null, null, List.of(),
                skill == null ? null : new AgentSkill(skill, null, null, null), null, null, Map.of(), null);
    }

    static Document render(ListRunsResponse page) {
        return Jsoup.parse("<main id=\"main\"" + RunsPageHtml.mainAttributes(page) + ">"
                + RunsPageHtml.main(page, false) + "</main>");
    }

    @Test
    void aTitleSkillAndIdWithMarkupAreTextAndAttributeValuesOnly() throws Exception {
        ListRunsResponse page = new ListRunsResponse(List.of(
                run("run\"><b>id", XSS, RunState.INPROGRESS, XSS),
                run("plain", "", RunState.FAILED, null)), new PageInfo(true, "c"));
        Document doc = render(page);

        assertThat(doc.select("script, img, b, [onerror], [onfocus]")).isEmpty();
        Element first = doc.selectFirst("tr[data-run-id]");
        assertThat(first.attr("data-run-id")).isEqualTo("run\"><b>id");
        assertThat(first.selectFirst("a.run-title").text()).isEqualTo(XSS);
        assertThat(first.selectFirst("a.run-title").attr("href")).isEqualTo("/runs/run%22%3E%3Cb%3Eid");
        assertThat(first.selectFirst("input").attr("aria-label")).isEqualTo("Select " + XSS);
        assertThat(first.select("td").get(4).text()).isEqualTo(XSS);
        assertThat(first.selectFirst("input").hasAttr("disabled")).isFalse();
        // without a title the row shows the prompt, as runs.js does; a finished run cannot be selected for cancel
        Element second = doc.select("tr[data-run-id]").get(1);
        assertThat(second.selectFirst("a.run-title").text()).isEqualTo("the prompt " + XSS);
        assertThat(second.selectFirst("input").hasAttr("disabled")).isTrue();
        assertThat(second.selectFirst("[data-state]").attr("data-state")).isEqualTo("FAILED");
        assertThat(doc.selectFirst("#load-more").hasAttr("hidden")).isFalse();
        // the page travels along unchanged for the script: the attribute decodes to the API's JSON
        assertThat(doc.selectFirst("main").attr("data-runs-page")).isEqualTo(Json.mapper().writeValueAsString(page));
        assertThat(doc.selectFirst("time").attr("datetime")).isEqualTo("2026-12-02T01:02:03Z");
        assertThat(doc.selectFirst("time").text()).isEqualTo("2 Dec 2026, 01:02:03 UTC");
    }

    @Test
    void anEmptyPageSaysSoAndOffersNoMore() {
        Document doc = render(new ListRunsResponse(List.of(), new PageInfo(false, null)));
        assertThat(doc.selectFirst("#runs-body").text()).isEqualTo("No runs match.");
        assertThat(doc.selectFirst("#load-more").hasAttr("hidden")).isTrue();
    }
}
