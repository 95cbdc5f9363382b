package dev.drover.api;

import java.util.List;

/** {@code GET /agent/identities}: every live identity of the caller's team, oldest first. */
public record ListAgentIdentitiesResponse(List<AgentIdentity> agents) {}
