package dev.drover.api;

/** Names of managed secrets for third-party harnesses. */
public record HarnessAuthSecrets(String claudeAuthSecretName) {}
