package dev.drover.api;

import java.util.List;

/** An agent: a skill name, with one variant per repository (or folder) defining it. */
public record AgentListItem(String name, List<AgentListVariant> variants) {}
