package dev.drover.api;

import java.util.List;
import java.util.Map;

/** One MCP server attached to a run: exactly one of {@code warp_id}, {@code command} or {@code url}. */
public record McpServerConfig(
        String warpId,
        String command,
        List<String> args,
        String url,
        Map<String, String> env,
        Map<String, String> headers) {}
