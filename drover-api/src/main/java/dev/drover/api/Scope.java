package dev.drover.api;

/** Ownership of a resource: {@code type} is User or Team. */
public record Scope(String type, String uid) {}
