package dev.drover.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drover.api.Json;
import dev.drover.api.ListRunsResponse;
import dev.drover.api.RunItem;
import dev.drover.api.RunState;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.owasp.encoder.Encode;

/**
 * The runs page's first paint, rendered on the server: the heading, the toolbar and the first page of rows, so that
 * the browser paints them with the HTML instead of after the modules, a session check and a list call. The markup
 * is the same as {@code runs.js} builds (the script then takes the page over without a flash), and the page it shows
 * travels with it in {@code data-runs-page} for the script to read. Titles and prompts are written by agents and
 * their text is hostile: every value goes through the OWASP encoder for the context it lands in, never by hand.
 */
final class RunsPageHtml {
    /** The dashboard's navigation, as {@code app.js} draws it; the runs page's link is the current one. */
    static final List<String[]> NAV = List.of(new String[] {"/runs", "Runs"}, new String[] {"/runs/new", "Start a run"},
            new String[] {"/environments", "Environments"}, new String[] {"/schedules", "Schedules"},
            new String[] {"/agents", "Agents"}, new String[] {"/models", "Models"}, new String[] {"/workers", "Workers"},
            new String[] {"/keys", "API keys"});
    private static final Set<RunState> TERMINAL = EnumSet.of(RunState.SUCCEEDED, RunState.FAILED, RunState.BLOCKED,
            RunState.ERROR, RunState.CANCELLED);
    /** Times before the script shows them in the reader's own zone and language. */
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm:ss 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private RunsPageHtml() {}

    /** The navigation's list, with the runs page marked current. */
    static String nav() {
        StringBuilder html = new StringBuilder("<ul>");
        for (String[] link : NAV) {
            html.append("<li><a href=\"").append(link[0]).append('"')
                    .append(link[0].equals("/runs") ? " aria-current=\"page\"" : "")
                    .append('>').append(link[1]).append("</a></li>");
        }
        return html.append("</ul>").toString();
    }

    /** The attributes of {@code <main>}: the page shown, as JSON, for the script to take over. */
    static String mainAttributes(ListRunsResponse page) {
        try {
            return " data-runs-page=\"" + Encode.forHtmlAttribute(Json.mapper().writeValueAsString(page)) + '"';
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a runs page that cannot be written as JSON", e);
        }
    }

    /** The content of {@code <main>}: heading, filters (closed unless the query has some), toolbar, table. */
    static String main(ListRunsResponse page, boolean filtered) {
        StringBuilder html = new StringBuilder(16_384);
        html.append("<h1>Runs</h1>\n<details class=\"filters\"").append(filtered ? " open" : "")
                .append("><summary>Filters and order</summary></details>\n")
                .append("<div class=\"toolbar\"><a href=\"/runs/new\" class=\"button primary\">Start a run</a>")
                .append("<button type=\"button\" id=\"bulk-cancel\" disabled>Cancel selected</button>")
                .append("<span class=\"muted\" id=\"selected-count\"></span></div>\n<div class=\"errors\"></div>\n")
                .append("<div class=\"scroll\"><table class=\"runs\" id=\"runs-table\"><thead><tr>")
                .append("<th><input type=\"checkbox\" aria-label=\"Select all runs shown\"></th><th>Title</th>")
                .append("<th>State</th><th class=\"wide\">Source</th><th class=\"wide\">Skill</th>")
                .append("<th class=\"wide\">Created</th><th>Updated</th></tr></thead>\n<tbody id=\"runs-body\">");
        if (page.runs().isEmpty()) {
            html.append("<tr><td colspan=\"7\" class=\"muted\">No runs match.</td></tr>");
        }
        for (RunItem run : page.runs()) {
            row(html, run);
        }
        html.append("</tbody></table></div>\n<button type=\"button\" id=\"load-more\"")
                .append(page.pageInfo() != null && page.pageInfo().hasNextPage() ? "" : " hidden")
                .append(">Load more</button>");
        return html.toString();
    }

    private static void row(StringBuilder html, RunItem run) {
        String label = run.title() != null && !run.title().isEmpty() ? run.title()
                : run.prompt() != null && !run.prompt().isEmpty() ? run.prompt() : run.runId();
        String state = run.state() == null ? "?" : run.state().name();
        html.append("<tr data-run-id=\"").append(Encode.forHtmlAttribute(run.runId())).append("\">")
                .append("<td><input type=\"checkbox\" aria-label=\"Select ")
                .append(Encode.forHtmlAttribute(run.title() != null && !run.title().isEmpty() ? run.title() : run.runId()))
                .append('"').append(TERMINAL.contains(run.state()) ? " disabled" : "").append("></td>")
                .append("<td><a href=\"/runs/").append(Encode.forHtmlAttribute(Encode.forUriComponent(run.runId())))
                .append("\" class=\"run-title\">")
                .append(Encode.forHtml(label)).append("</a></td>")
                .append("<td><span class=\"state state-").append(Encode.forHtmlAttribute(state.toLowerCase(Locale.ROOT)))
                .append("\" data-state=\"").append(Encode.forHtmlAttribute(state)).append("\">")
                .append(Encode.forHtml(state)).append("</span></td>")
                .append("<td class=\"wide\">").append(run.source() == null ? "—" : Encode.forHtml(run.source().name()))
                .append("</td><td class=\"wide\">")
                .append(run.agentSkill() == null || run.agentSkill().name() == null ? "—"
                        : Encode.forHtml(run.agentSkill().name()))
                .append("</td><td class=\"wide\">");
        time(html, run.createdAt());
        html.append("</td><td>");
        time(html, run.updatedAt());
        html.append("</td></tr>\n");
    }

    private static void time(StringBuilder html, Instant at) {
        if (at == null) {
            html.append("<time datetime=\"\">—</time>");
            return;
        }
        html.append("<time datetime=\"").append(Encode.forHtmlAttribute(at.toString())).append("\">")
                .append(Encode.forHtml(WHEN.format(at))).append("</time>");
    }
}
