package dev.drover.api;

import java.time.Instant;
import java.util.List;

/**
 * One {@code SKILL.md}: {@code id} is {@code owner/repo:path/SKILL.md} (also a skill spec), {@code base_prompt}
 * its instructions, {@code environments} those the caller can see that include its repository.
 * {@code error} is set, only when malformed skills were asked for, for a file that does not parse.
 */
public record AgentListVariant(String id, String description, String basePrompt, AgentListSource source,
        List<AgentListEnvironment> environments, Instant lastRunTimestamp, String error) {}
