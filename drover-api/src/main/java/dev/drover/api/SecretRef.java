package dev.drover.api;

/** A managed secret named by an agent identity: {@code {"name": "NPM_TOKEN"}}, as the SDK writes it. */
public record SecretRef(String name) {}
