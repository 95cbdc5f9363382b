package dev.drover.api;

import java.util.Map;

/**
 * The newer SDK's usage of one category: inference paid with the operator's own provider keys
 * ({@code byok_inference_usage}, by model id; Drover's workers call providers with their own keys) and platform
 * usage (always 0: Drover charges nothing).
 */
public record UsageByCategory(double platformUsageInCents, Map<String, InferenceUsage> byokInferenceUsage) {

    /** Tokens and their cost for one model; Drover sees no cache or web-search usage, so those are 0. */
    public record InferenceUsage(CostInCents costInCents, TokenCount tokenCount, double webSearchCostInCents,
            long webSearchCount) {}

    public record CostInCents(double inputCostInCents, double outputCostInCents, double inputCacheReadCostInCents,
            double inputCacheWriteCostInCents) {}

    public record TokenCount(long input, long output, long inputCacheRead, long inputCacheWrite) {}
}
