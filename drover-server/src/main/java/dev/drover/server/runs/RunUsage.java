package dev.drover.server.runs;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.RequestUsage;
import dev.drover.api.UsageReport;
import dev.drover.api.UsageStatus;
import dev.drover.server.http.ApiException;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.store.Database;
import dev.drover.server.store.JsonColumns;
import java.time.Clock;
import java.util.Optional;

/** A run's model usage as its worker reports it, call by call: tokens, their price, and the budget. */
final class RunUsage {
    private final Database db;
    private final RunRepository repo;
    private final ModelCatalog models;
    private final Clock clock;

    RunUsage(Database db, RunRepository repo, ModelCatalog models, Clock clock) {
        this.db = db;
        this.repo = repo;
        this.models = models;
        this.clock = clock;
    }

    /**
     * Adds a model call's tokens and their price (from the models file's price table) to the run's
     * {@code request_usage}, and says whether the run's {@code budget_usd} is spent; a retried report answers the
     * first one's status.
     */
    public UsageStatus recordUsage(WorkerReport by, String runId, UsageReport report) {
        if (report.inputTokens() < 0 || report.outputTokens() < 0) {
            throw ApiException.badRequest("input_tokens", "token counts are not negative");
        }
        if (report.modelId() == null || report.modelId().isBlank()) {
            throw ApiException.badRequest("model_id", "is required");
        }
        double inputCost = models.cost(report.modelId(), report.inputTokens(), 0);
        double outputCost = models.cost(report.modelId(), 0, report.outputTokens());
        return db.write(h -> {
            Optional<String> earlier = by.replay(h, runId);
            if (earlier.isPresent()) {
                return JsonColumns.read(earlier.get(), UsageStatus.class);
            }
            by.requireHolder(h, runId);
            RunRow run = repo.find(h, runId).orElseThrow();
            RequestUsage before = RunMapping.usage(run.requestUsageJson());
            RequestUsage after = Usage.add(before, report.modelId(), report.inputTokens(), report.outputTokens(),
                    inputCost, outputCost);
            h.createUpdate("UPDATE runs SET request_usage_json = :u WHERE id = :id")
                    .bind("u", JsonColumns.write(after)).bind("id", runId).execute();
            Double budget = JsonColumns.read(run.configJson(), AmbientAgentConfig.class).budgetUsd();
            UsageStatus status = new UsageStatus(after, budget, budget != null && after.inferenceCostUsd() > budget);
            by.remember(h, runId, JsonColumns.write(status), clock.instant());
            return status;
        });
    }
}
