package dev.drover.api;

import java.util.Map;

/**
 * Cost of a run. {@code inference_cost} and {@code compute_cost} are in credits as the spec says; Drover prices a
 * credit at one US cent, so they are the {@code _usd} amounts times 100 (docs/api.md "Usage"). The token counts
 * ({@code input_tokens}, {@code output_tokens}) are Drover extensions; {@code total_tokens} is their sum and
 * {@code usage_by_category} the newer SDK's breakdown (one category, {@code primary_agent}, per model).
 */
public record RequestUsage(Double inferenceCost, Double computeCost, Long inputTokens, Long outputTokens,
        Long totalTokens, Double inferenceCostUsd, Double computeCostUsd,
        Map<String, UsageByCategory> usageByCategory) {

    public RequestUsage(Double inferenceCost, Double computeCost, Long inputTokens, Long outputTokens) {
        this(inferenceCost, computeCost, inputTokens, outputTokens, null, null, null, null);
    }
}
