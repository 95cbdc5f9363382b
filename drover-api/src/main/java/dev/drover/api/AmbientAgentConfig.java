package dev.drover.api;

import java.util.Map;

/** Configuration of an agent run ({@code AmbientAgentConfig}); stored as given and returned on the run. */
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
        HarnessAuthSecrets harnessAuthSecrets) {

    public static AmbientAgentConfig empty() {
        return new AmbientAgentConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    public AmbientAgentConfig withModelId(String id) {
        return new AmbientAgentConfig(name, id, basePrompt, environmentId, skillSpec, mcpServers, computerUseEnabled,
                idleTimeoutMinutes, workerHost, harness, harnessAuthSecrets);
    }
}
