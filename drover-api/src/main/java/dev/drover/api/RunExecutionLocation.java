package dev.drover.api;

/** Where a run executes ({@code RunExecutionLocation}). */
public enum RunExecutionLocation { LOCAL, REMOTE }
