package dev.drover.api;

import java.util.Map;

/**
 * Configuration of an agent run ({@code AmbientAgentConfig}); stored as given and returned on the run. Drover
 * extensions: {@code budget_usd}, and {@code deliver_on_failure} (deliver the changes of a run that ends FAILED or
 * BLOCKED too, as a draft pull request; null takes the environment's setting).
 */
public record AmbientAgentConfig(
        String name,
        String modelId,
        String basePrompt,
        String environmentId,
        String skillSpec,
        Map<String, McpServerConfig> mcpServers,
        Boolean computerUseEnabled,
        Integer idleTimeoutMinutes,
        String workerHost,
        Harness harness,
        HarnessAuthSecrets harnessAuthSecrets,
        Double budgetUsd,
        Boolean deliverOnFailure,
        java.util.List<String> skills,
        String runnerId) {

    /**
     * Without the newer SDK's {@code skills} (ordered skill specs; Drover runs one, as {@code skill_spec}) and
     * {@code runner_id} (refused: Drover routes by {@code worker_host} pools, docs/api.md), nor Drover's
     * {@code deliver_on_failure}.
     */
    public AmbientAgentConfig(String name, String modelId, String basePrompt, String environmentId, String skillSpec,
            Map<String, McpServerConfig> mcpServers, Boolean computerUseEnabled, Integer idleTimeoutMinutes,
            String workerHost, Harness harness, HarnessAuthSecrets harnessAuthSecrets, Double budgetUsd) {
        this(name, modelId, basePrompt, environmentId, skillSpec, mcpServers, computerUseEnabled, idleTimeoutMinutes,
                workerHost, harness, harnessAuthSecrets, budgetUsd, null, null, null);
    }

    /** Without Drover's {@code budget_usd} extension (the most a run may spend on inference, in US dollars). */
    public AmbientAgentConfig(String name, String modelId, String basePrompt, String environmentId, String skillSpec,
            Map<String, McpServerConfig> mcpServers, Boolean computerUseEnabled, Integer idleTimeoutMinutes,
            String workerHost, Harness harness, HarnessAuthSecrets harnessAuthSecrets) {
        this(name, modelId, basePrompt, environmentId, skillSpec, mcpServers, computerUseEnabled, idleTimeoutMinutes,
                workerHost, harness, harnessAuthSecrets, null);
    }

    public static AmbientAgentConfig empty() {
        return new AmbientAgentConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    public AmbientAgentConfig withName(String newName) {
        return new AmbientAgentConfig(newName, modelId, basePrompt, environmentId, skillSpec, mcpServers,
                computerUseEnabled, idleTimeoutMinutes, workerHost, harness, harnessAuthSecrets, budgetUsd,
                deliverOnFailure, skills, runnerId);
    }

    public AmbientAgentConfig withModelId(String id) {
        return new AmbientAgentConfig(name, id, basePrompt, environmentId, skillSpec, mcpServers, computerUseEnabled,
                idleTimeoutMinutes, workerHost, harness, harnessAuthSecrets, budgetUsd, deliverOnFailure, skills,
                runnerId);
    }
}
