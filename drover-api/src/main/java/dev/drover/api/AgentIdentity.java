package dev.drover.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An agent identity ({@code AgentResponse} of {@code /agent/identities}): a team's named agent. The spec's fields
 * ({@code uid}, {@code name}, {@code available}, {@code created_at}) and the newer SDK's ({@code description},
 * {@code skills}, {@code secrets}), then Drover's: the run configuration the identity brings to its runs
 * ({@code prompt} is their base prompt, {@code base_model} their model), {@code memory} (always without stores: Drover
 * keeps no memory across runs), {@code scope} (always its team) and {@code creator}.
 */
public record AgentIdentity(String uid, String name, String description, boolean available, Instant createdAt,
        Instant updatedAt, List<String> skills, List<SecretRef> secrets, AgentMemory memory, String prompt,
        Harness harness, HarnessAuthSecrets harnessAuthSecrets, String baseModel, String environmentId,
        Map<String, McpServerConfig> mcpServers, String workerHost, Scope scope, RunCreatorInfo creator) {}
