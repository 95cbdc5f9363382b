package dev.drover.worker;

import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks a worker's isolation backend, and probes each backend for {@code drover doctor}. {@code auto}: the
 * container backend when an engine answers, else bubblewrap when its probe holds, else none at all: runs are
 * refused until one is installed or {@code none} is chosen explicitly. An explicitly chosen backend that does not
 * hold is never replaced by a weaker one.
 */
public final class Isolations {
    private static final Logger LOG = LoggerFactory.getLogger(Isolations.class);

    private Isolations() {}

    /**
     * Probes the container engine and bubblewrap as a worker with these settings would use them; one result per
     * backend, in the order {@code auto} tries them.
     */
    public static List<Isolation.Probe> probe(IsolationSettings settings, List<Path> hidden, Path workRoot) {
        ContainerIsolation.Found container = ContainerIsolation.connect(settings);
        Isolation.Probe containerProbe = container.probe();
        if (container.isolation() != null) {
            try {
                containerProbe = tryContainer(container.isolation(), containerProbe, settings.defaultImage());
            } finally {
                container.isolation().close();
            }
        }
        return List.of(containerProbe, BubblewrapIsolation.find(settings, hidden, workRoot).probe());
    }

    /**
     * An engine that answers may still be unable to run a run's container (the image cannot be pulled, the runtime
     * refuses the limits or the user): so the probe opens a place exactly as a run without an environment image
     * would, runs {@code true} in it and removes it.
     */
    private static Isolation.Probe tryContainer(ContainerIsolation isolation, Isolation.Probe engine, String image) {
        Path workspace = null;
        try {
            workspace = java.nio.file.Files.createTempDirectory("drover-doctor");
            try (Place place = isolation.open(new Isolation.Spec("doctor-" + java.util.UUID.randomUUID(), workspace, null))) {
                Place.Launched p = place.launch(List.of("true"), java.util.Map.of(), null, true);
                if (!p.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.process().exitValue() != 0) {
                    return new Isolation.Probe("container", false, engine.reason() + ", but `true` did not run in a "
                            + "container of " + image);
                }
            }
            return new Isolation.Probe("container", true, engine.reason() + "; created, ran and removed a container of "
                    + "the default image " + image);
        } catch (java.io.IOException e) {
            return new Isolation.Probe("container", false, engine.reason() + ", but " + e.getMessage()
                    + " (set --default-image to an image the engine has or can pull)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Isolation.Probe("container", false, "interrupted");
        } finally {
            if (workspace != null) {
                try {
                    java.nio.file.Files.deleteIfExists(workspace);
                } catch (java.io.IOException e) {
                    // a temporary directory left behind
                }
            }
        }
    }

    /** The backend a worker uses; a {@link RefusingIsolation} (named {@code unavailable}) when none may be used. */
    static Isolation choose(IsolationSettings settings, List<Path> hidden, Path workRoot) {
        Isolation chosen = switch (settings.mode()) {
            case "none" -> new NoIsolation();
            case "container" -> {
                ContainerIsolation.Found found = ContainerIsolation.connect(settings);
                yield found.isolation() != null ? found.isolation()
                        : refuse("the container isolation was chosen but " + found.probe().reason());
            }
            case "bubblewrap" -> {
                BubblewrapIsolation.Found found = BubblewrapIsolation.find(settings, hidden, workRoot);
                yield found.isolation() != null ? found.isolation()
                        : refuse("the bubblewrap isolation was chosen but it does not hold here: " + found.probe().reason());
            }
            default -> auto(settings, hidden, workRoot);
        };
        if (chosen instanceof ContainerIsolation c) {
            try {
                c.reapOrphans(); // containers a dead worker of this host left behind
            } catch (RuntimeException e) {
                LOG.warn("could not look for orphaned run containers: {}", e.getMessage());
            }
        }
        if (chosen instanceof RefusingIsolation r) {
            LOG.error("this worker will refuse to run agents: {}", r.reason());
        } else if (chosen instanceof NoIsolation) {
            LOG.warn("isolation none: agents run unconfined on this host as the worker's user");
        } else {
            LOG.info("agents run with isolation {}", chosen.name());
        }
        return chosen;
    }

    private static Isolation auto(IsolationSettings settings, List<Path> hidden, Path workRoot) {
        ContainerIsolation.Found container = ContainerIsolation.connect(settings);
        if (container.isolation() != null) {
            return container.isolation();
        }
        BubblewrapIsolation.Found bwrap = BubblewrapIsolation.find(settings, hidden, workRoot);
        if (bwrap.isolation() != null) {
            return bwrap.isolation();
        }
        return refuse("no isolation is available on this worker: " + container.probe().reason() + "; and bubblewrap: "
                + bwrap.probe().reason() + ". Install bubblewrap (apt-get install bubblewrap) or a container engine "
                + "(Docker, or Podman's service with DOCKER_HOST), or start the worker with --isolation none "
                + "(DROVER_ISOLATION=none) to run agents unconfined on this host");
    }

    private static Isolation refuse(String reason) {
        return new RefusingIsolation(reason);
    }
}
