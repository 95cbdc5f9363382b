package dev.drover.api;

/** Body of {@code POST /workers}: a worker process announcing itself. */
public record WorkerRegistration(String name, String pool, Integer slots, String host) {}
