package dev.drover.cli;

import dev.drover.worker.IsolationSettings;
import java.util.Map;
import picocli.CommandLine.Option;

/** How worker slots isolate agents: shared by {@code drover worker} and {@code drover serve}'s embedded slots. */
final class IsolationOptions {
    @Option(names = "--isolation", description = "container, bubblewrap or none (env DROVER_ISOLATION; default: container "
            + "when a container engine answers, else bubblewrap when its probe holds, else runs are refused). See docs/isolation.md.")
    String isolation;

    @Option(names = "--default-image", description = "Container image of runs whose environment names none "
            + "(env DROVER_DEFAULT_IMAGE; default " + IsolationSettings.DEFAULT_IMAGE + ").")
    String defaultImage;

    @Option(names = "--container-network", description = "none or bridge (env DROVER_CONTAINER_NETWORK; default none).")
    String network;

    @Option(names = "--container-memory-mb", description = "Memory limit of a run's container (env DROVER_CONTAINER_MEMORY_MB; default 4096).")
    Long memoryMb;

    @Option(names = "--container-pids", description = "Process limit of a run's container (env DROVER_CONTAINER_PIDS; default 512).")
    Long pids;

    @Option(names = "--container-cpus", description = "CPU limit of a run's container (env DROVER_CONTAINER_CPUS; default 2).")
    Double cpus;

    /** The environment's settings with the flags given on top (flags win). */
    IsolationSettings settings(Map<String, String> env) {
        IsolationSettings s = IsolationSettings.fromEnv(env);
        return new IsolationSettings(isolation != null ? isolation : s.mode(),
                defaultImage != null ? defaultImage : s.defaultImage(), s.agentUid(), s.agentGid(),
                network != null ? network : s.network(), memoryMb != null ? memoryMb * 1024 * 1024 : s.memoryBytes(),
                pids != null ? pids : s.pids(), cpus != null ? cpus : s.cpus(), s.dockerHost());
    }
}
