package dev.drover.api;

/** A repository of an environment ({@code GitHubRepo}): cloned from the configured git source as {@code owner/repo}. */
public record GitHubRepo(String owner, String repo) {}
