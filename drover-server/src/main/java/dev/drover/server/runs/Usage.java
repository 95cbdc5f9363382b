package dev.drover.server.runs;

import dev.drover.api.RequestUsage;
import dev.drover.api.UsageByCategory;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's {@link RequestUsage}: adds a worker's usage report to it and keeps its fields consistent. Amounts are
 * kept in US dollars ({@code inference_cost_usd}); {@code inference_cost} is in credits as the spec says, and
 * Drover prices one credit at one US cent ({@link #CREDITS_PER_USD}). Compute is not charged ({@code 0}).
 */
final class Usage {
    static final double CREDITS_PER_USD = 100;
    /** The one usage category Drover has: the run's own agent (it does not summarize or compact conversations). */
    static final String PRIMARY_AGENT = "primary_agent";

    private Usage() {}

    static RequestUsage empty() {
        return new RequestUsage(0d, 0d, 0L, 0L, 0L, 0d, 0d, Map.of());
    }

    /**
     * Every field filled; a row written before the USD fields existed held USD in {@code inference_cost} and no
     * breakdown, so its amount is read as USD.
     */
    static RequestUsage normalized(RequestUsage u) {
        if (u == null) {
            return empty();
        }
        long in = nz(u.inputTokens());
        long out = nz(u.outputTokens());
        double usd = u.inferenceCostUsd() != null ? u.inferenceCostUsd() : u.inferenceCost() == null ? 0 : u.inferenceCost();
        return new RequestUsage(usd * CREDITS_PER_USD, 0d, in, out, in + out, usd, 0d,
                u.usageByCategory() == null ? Map.of() : u.usageByCategory());
    }

    /** {@code before} plus one report: {@code modelId} used these tokens, costing these amounts in US dollars. */
    static RequestUsage add(RequestUsage before, String modelId, long input, long output, double inputUsd,
            double outputUsd) {
        RequestUsage b = normalized(before);
        Map<String, UsageByCategory.InferenceUsage> models = new TreeMap<>();
        UsageByCategory primary = b.usageByCategory().get(PRIMARY_AGENT);
        if (primary != null && primary.byokInferenceUsage() != null) {
            models.putAll(primary.byokInferenceUsage());
        }
        UsageByCategory.InferenceUsage m = models.get(modelId);
        double inCents = inputUsd * 100 + (m == null ? 0 : m.costInCents().inputCostInCents());
        double outCents = outputUsd * 100 + (m == null ? 0 : m.costInCents().outputCostInCents());
        long inTokens = input + (m == null ? 0 : m.tokenCount().input());
        long outTokens = output + (m == null ? 0 : m.tokenCount().output());
        models.put(modelId, new UsageByCategory.InferenceUsage(new UsageByCategory.CostInCents(inCents, outCents, 0, 0),
                new UsageByCategory.TokenCount(inTokens, outTokens, 0, 0), 0, 0));
        Map<String, UsageByCategory> categories = new TreeMap<>(b.usageByCategory());
        categories.put(PRIMARY_AGENT, new UsageByCategory(0, models));
        double usd = b.inferenceCostUsd() + inputUsd + outputUsd;
        long in = b.inputTokens() + input;
        long out = b.outputTokens() + output;
        return new RequestUsage(usd * CREDITS_PER_USD, 0d, in, out, in + out, usd, 0d, categories);
    }

    private static long nz(Long l) {
        return l == null ? 0 : l;
    }
}
