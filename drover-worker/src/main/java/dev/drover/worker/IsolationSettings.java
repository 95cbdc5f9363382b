package dev.drover.worker;

import java.util.Locale;
import java.util.Map;

/**
 * How a worker isolates its runs, from its flags or environment.
 *
 * @param mode {@code auto} (container when an engine answers, else bubblewrap when its probe holds, else refuse),
 *     {@code container}, {@code bubblewrap} or {@code none}
 * @param defaultImage the container image of runs whose environment names none
 * @param agentUid the unprivileged uid agents run as (bubblewrap and container); never 0
 * @param agentGid its gid
 * @param network the container network: {@code none} (default) or {@code bridge}
 * @param memoryBytes the container's memory limit
 * @param pids the container's process limit
 * @param cpus the container's CPU limit, in CPUs
 * @param dockerHost the engine endpoint ({@code DOCKER_HOST}); null: the default socket if it exists
 */
public record IsolationSettings(String mode, String defaultImage, int agentUid, int agentGid, String network,
        long memoryBytes, long pids, double cpus, String dockerHost) {

    public static final String DEFAULT_IMAGE = "debian:12-slim";
    /** A uid no distribution hands out, so that agents own nothing of the host. */
    public static final int DEFAULT_AGENT_ID = 64_055;
    public static final long DEFAULT_MEMORY = 4L * 1024 * 1024 * 1024;
    public static final long DEFAULT_PIDS = 512;
    public static final double DEFAULT_CPUS = 2;

    public IsolationSettings {
        mode = mode == null || mode.isBlank() ? "auto" : mode.strip().toLowerCase(Locale.ROOT);
        if (!java.util.Set.of("auto", "container", "bubblewrap", "none").contains(mode)) {
            throw new IllegalArgumentException("isolation: one of container, bubblewrap, none (or auto), not " + mode);
        }
        defaultImage = defaultImage == null || defaultImage.isBlank() ? DEFAULT_IMAGE : defaultImage.strip();
        if (agentUid <= 0 || agentGid <= 0) {
            throw new IllegalArgumentException("agent uid/gid: an unprivileged id above 0");
        }
        network = network == null || network.isBlank() ? "none" : network.strip();
        if (!network.equals("none") && !network.equals("bridge")) {
            throw new IllegalArgumentException("container network: none or bridge, not " + network);
        }
        dockerHost = dockerHost == null || dockerHost.isBlank() ? null : dockerHost.strip();
    }

    /** Only the mode chosen; everything else its default, the engine at this process's {@code DOCKER_HOST}. */
    public static IsolationSettings of(String mode) {
        return new IsolationSettings(mode, null, DEFAULT_AGENT_ID, DEFAULT_AGENT_ID, null, DEFAULT_MEMORY, DEFAULT_PIDS,
                DEFAULT_CPUS, System.getenv("DOCKER_HOST"));
    }

    /**
     * From a worker's environment: {@code DROVER_ISOLATION}, {@code DROVER_DEFAULT_IMAGE}, {@code DROVER_AGENT_UID},
     * {@code DROVER_AGENT_GID}, {@code DROVER_CONTAINER_NETWORK}, {@code DROVER_CONTAINER_MEMORY_MB},
     * {@code DROVER_CONTAINER_PIDS}, {@code DROVER_CONTAINER_CPUS}, {@code DOCKER_HOST}.
     */
    public static IsolationSettings fromEnv(Map<String, String> env) {
        return new IsolationSettings(env.get("DROVER_ISOLATION"), env.get("DROVER_DEFAULT_IMAGE"),
                intOr(env.get("DROVER_AGENT_UID"), DEFAULT_AGENT_ID), intOr(env.get("DROVER_AGENT_GID"), DEFAULT_AGENT_ID),
                env.get("DROVER_CONTAINER_NETWORK"),
                env.containsKey("DROVER_CONTAINER_MEMORY_MB")
                        ? Long.parseLong(env.get("DROVER_CONTAINER_MEMORY_MB").strip()) * 1024 * 1024 : DEFAULT_MEMORY,
                env.containsKey("DROVER_CONTAINER_PIDS") ? Long.parseLong(env.get("DROVER_CONTAINER_PIDS").strip()) : DEFAULT_PIDS,
                env.containsKey("DROVER_CONTAINER_CPUS") ? Double.parseDouble(env.get("DROVER_CONTAINER_CPUS").strip()) : DEFAULT_CPUS,
                env.get("DOCKER_HOST"));
    }

    /** The same with {@code mode} (a flag wins over the environment); null keeps it. */
    public IsolationSettings withMode(String newMode) {
        return newMode == null ? this : new IsolationSettings(newMode, defaultImage, agentUid, agentGid, network,
                memoryBytes, pids, cpus, dockerHost);
    }

    /** The same with {@code image} as the default image; null keeps it. */
    public IsolationSettings withDefaultImage(String image) {
        return image == null ? this : new IsolationSettings(mode, image, agentUid, agentGid, network, memoryBytes, pids,
                cpus, dockerHost);
    }

    private static int intOr(String s, int fallback) {
        return s == null || s.isBlank() ? fallback : Integer.parseInt(s.strip());
    }
}
