package dev.drover.server.runs;

/**
 * Which worker pools exist. A run routed ({@code config.worker_host}) to a pool that no worker ever joined would
 * sit in QUEUED for ever without a word, which is almost always a typo: creation refuses it instead.
 */
@FunctionalInterface
public interface WorkerPools {
    /** Whether a worker of {@code pool} has ever registered with this server's database. */
    boolean known(String pool);
}
