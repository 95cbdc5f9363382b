package dev.drover.server.runs;

/**
 * Which worker pools exist. A run routed ({@code config.worker_host}) to a pool that no worker ever joined
 * waits in QUEUED until one does; creation says so, since it is often a typo.
 */
@FunctionalInterface
public interface WorkerPools {
    /** Whether a worker of {@code pool} has ever registered with this server's database. */
    boolean known(String pool);
}
