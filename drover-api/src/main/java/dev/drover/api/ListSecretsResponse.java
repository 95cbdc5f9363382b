package dev.drover.api;

import java.util.List;

/** {@code GET /secrets}: the secrets the caller can see (its own and its teams'), by name. */
public record ListSecretsResponse(List<ManagedSecret> secrets) {}
