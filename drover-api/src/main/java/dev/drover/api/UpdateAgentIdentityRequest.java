package dev.drover.api;

import java.util.List;
import java.util.Map;

/**
 * Body of {@code PUT /agent/identities/{uid}}, a partial update as the SDK defines it: an omitted (or null) field
 * stays, an empty one ({@code ""}, {@code []}, {@code {}}) is cleared, any other value replaces the field whole.
 */
public record UpdateAgentIdentityRequest(String name, String description, String prompt, List<String> skills,
        List<SecretRef> secrets, Harness harness, HarnessAuthSecrets harnessAuthSecrets, String baseModel,
        String environmentId,
        Map<String, McpServerConfig> mcpServers, String workerHost) {}
