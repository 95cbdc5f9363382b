package dev.drover.api;

import java.time.Instant;

/**
 * A registered worker. {@code lease_seconds} is how long a claimed run stays leased without a heartbeat;
 * {@code heartbeat_seconds} how often the worker should send one.
 */
public record WorkerInfo(String workerId, String name, String pool, int slots, String host, Instant registeredAt,
        Instant lastHeartbeatAt, int activeRuns, int leaseSeconds, int heartbeatSeconds) {}
