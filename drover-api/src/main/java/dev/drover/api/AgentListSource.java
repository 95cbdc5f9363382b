package dev.drover.api;

/** Where a skill is defined: repository {@code owner/name}, file {@code skill_path}. */
public record AgentListSource(String owner, String name, String skillPath, String workerHost) {}
