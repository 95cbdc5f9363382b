package dev.drover.api;

/** Keyset paging state of a list reply. */
public record PageInfo(boolean hasNextPage, String nextCursor) {}
