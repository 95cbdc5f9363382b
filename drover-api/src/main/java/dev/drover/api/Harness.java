package dev.drover.api;

/** Which execution harness runs the agent; {@code type} is oz (default), claude, codex, gemini or command. */
public record Harness(String type) {}
