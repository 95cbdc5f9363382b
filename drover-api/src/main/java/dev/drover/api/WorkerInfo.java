package dev.drover.api;

import java.time.Instant;

/**
 * A registered worker. {@code lease_seconds} is how long a claimed run stays leased without a heartbeat;
 * {@code heartbeat_seconds} how often the worker should send one; {@code isolation} what its agents run in
 * ({@code container}, {@code bubblewrap}, {@code none}, {@code unavailable}; null from workers that did not say).
 */
public record WorkerInfo(String workerId, String name, String pool, int slots, String host, Instant registeredAt,
        Instant lastHeartbeatAt, int activeRuns, int leaseSeconds, int heartbeatSeconds, String isolation) {}
