package dev.drover.worker;

import dev.drover.api.UsageStatus;

/** Where a harness reports the tokens each model call spent; the answer says whether the budget is gone. */
public interface UsageMeter {
    UsageStatus record(String modelId, long inputTokens, long outputTokens);
}
