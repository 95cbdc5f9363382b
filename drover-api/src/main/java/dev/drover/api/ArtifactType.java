package dev.drover.api;

/** Kinds of artifact a run can produce. */
public enum ArtifactType { PLAN, PULL_REQUEST, SCREENSHOT, FILE }
