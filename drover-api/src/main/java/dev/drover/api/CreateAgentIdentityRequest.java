package dev.drover.api;

import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /agent/identities}: {@code name} is required, everything else optional. {@code skills} are skill
 * specs, {@code secrets} names of the team's managed secrets; the rest is the configuration merged under the
 * configuration of every run the identity executes.
 */
public record CreateAgentIdentityRequest(String name, String description, String prompt, List<String> skills,
        List<SecretRef> secrets, Harness harness, HarnessAuthSecrets harnessAuthSecrets, String baseModel,
        String environmentId,
        Map<String, McpServerConfig> mcpServers, String workerHost, String teamId) {}
