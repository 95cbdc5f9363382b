package dev.drover.api;

/** An environment a skill can run in. */
public record AgentListEnvironment(String uid, String name) {}
