package dev.drover.api;

/** The skill a run executes. */
public record AgentSkill(String name, String description, String fullPath, String bundledSkillId) {}
