package dev.drover.server.runs;

import dev.drover.api.McpServerConfig;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * The checks of a run's {@code mcp_servers} entries: what reaches a worker's process (a command, its arguments and
 * environment) or an HTTP client (a URL and headers) is bounded and well-formed before anything stores it.
 */
final class McpServerRequests {
    private McpServerRequests() {}

    /** One entry of {@code mcp_servers}: exactly one transport, bounded strings, an http(s) URL. */
    static void validate(String field, McpServerConfig m) {
        if (m == null) {
            throw ApiException.badRequest(field, "must be an object");
        }
        Text.notBlankIfPresent(field + ".warp_id", m.warpId());
        Text.notBlankIfPresent(field + ".command", m.command());
        Text.notBlankIfPresent(field + ".url", m.url());
        Text.maxChars(field + ".warp_id", m.warpId(), 128);
        Text.maxChars(field + ".command", m.command(), 4096);
        Text.maxChars(field + ".url", m.url(), 2048);
        if (m.args() != null) {
            if (m.args().size() > 256) {
                throw ApiException.badRequest(field + ".args", "at most 256 arguments");
            }
            for (int i = 0; i < m.args().size(); i++) {
                if (m.args().get(i) == null) {
                    throw ApiException.badRequest(field + ".args[" + i + "]", "must be a string");
                }
                Text.maxChars(field + ".args[" + i + "]", m.args().get(i), 4096);
            }
        }
        pairs(field + ".env", m.env());
        pairs(field + ".headers", m.headers());
        int transports = (RunRequests.notBlank(m.warpId()) ? 1 : 0) + (RunRequests.notBlank(m.command()) ? 1 : 0) + (RunRequests.notBlank(m.url()) ? 1 : 0);
        if (transports != 1) {
            throw ApiException.badRequest(field, "must have exactly one of warp_id, command or url");
        }
        if (RunRequests.notBlank(m.url())) {
            try {
                URI uri = new URI(m.url());
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    throw ApiException.badRequest(field + ".url", "must be an http or https URL");
                }
            } catch (URISyntaxException e) {
                throw ApiException.badRequest(field + ".url", "is not a valid URL");
            }
        }
    }

    /** An MCP server's environment or headers: a bounded number of bounded strings (they reach a process). */
    private static void pairs(String field, Map<String, String> pairs) {
        if (pairs == null) {
            return;
        }
        if (pairs.size() > 64) {
            throw ApiException.badRequest(field, "at most 64 entries");
        }
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            Text.maxChars(field + "." + RunRequests.shown(e.getKey()), e.getKey(), 256);
            if (e.getValue() == null) {
                throw ApiException.badRequest(field + "." + RunRequests.shown(e.getKey()), "must be a string");
            }
            Text.maxChars(field + "." + RunRequests.shown(e.getKey()), e.getValue(), 8192);
        }
    }
}
