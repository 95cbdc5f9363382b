package dev.drover.api;

/**
 * Body of {@code POST /workers}: a worker process announcing itself. {@code isolation} is the backend its agents
 * run in: {@code container}, {@code bubblewrap}, {@code none}, or {@code unavailable} when it refuses to run them.
 */
public record WorkerRegistration(String name, String pool, Integer slots, String host, String isolation) {

    /** From workers that do not say how they isolate agents. */
    public WorkerRegistration(String name, String pool, Integer slots, String host) {
        this(name, pool, slots, host, null);
    }
}
