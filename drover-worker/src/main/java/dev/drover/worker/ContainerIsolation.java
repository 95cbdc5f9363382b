package dev.drover.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each run in a container of its environment's image through the Docker Engine API (Docker, or Podman's
 * compatible service), found at {@code DOCKER_HOST} or the default socket. The container is the run's place: the
 * workspace bind-mounted at its own path and nothing else of the host, the agent's unprivileged uid, no
 * capabilities, {@code no-new-privileges}, pids/memory/CPU limits, network {@code none} unless the worker allows
 * the bridge. Its main process only keeps it alive; every process of the run is an exec inside it. Containers are
 * labelled with the run and the worker process, so a worker that starts removes those of a dead worker of its host.
 */
final class ContainerIsolation implements Isolation, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerIsolation.class);
    static final String DEFAULT_SOCKET = "/var/run/docker.sock";
    static final String LABEL_RUN = "dev.drover.run-id";
    static final String LABEL_HOST = "dev.drover.worker-host";
    static final String LABEL_PID = "dev.drover.worker-pid";
    static final Duration PULL_TIMEOUT = Duration.ofMinutes(15);

    private final DockerClient docker;
    private final DockerClientConfig dockerConfig;
    private final IsolationSettings settings;

    private ContainerIsolation(DockerClient docker, DockerClientConfig dockerConfig, IsolationSettings settings) {
        this.docker = docker;
        this.dockerConfig = dockerConfig;
        this.settings = settings;
    }

    /** The engine endpoint this backend talks to. */
    String endpoint() {
        return dockerConfig.getDockerHost().toString();
    }

    /** The engine endpoint: DOCKER_HOST, else the default socket when it exists, else null (no engine here). */
    static String endpoint(IsolationSettings settings) {
        if (settings.dockerHost() != null) {
            return settings.dockerHost();
        }
        return Files.exists(Path.of(DEFAULT_SOCKET)) ? "unix://" + DEFAULT_SOCKET : null;
    }

    /** A connected backend, or why there is none. */
    record Found(ContainerIsolation isolation, Isolation.Probe probe) {}

    /** Connects to the engine and asks its version; any failure makes the backend unavailable. */
    static Found connect(IsolationSettings settings) {
        String endpoint = endpoint(settings);
        if (endpoint == null) {
            return new Found(null, new Isolation.Probe("container", false, "no container engine: DOCKER_HOST is not set and "
                    + DEFAULT_SOCKET + " does not exist (start Docker, or `podman system service --time=0 unix:///run/podman.sock` "
                    + "and set DOCKER_HOST)"));
        }
        DockerClient docker = null;
        try {
            DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(endpoint).build();
            var http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                    .sslConfig(config.getSSLConfig()).connectionTimeout(Duration.ofSeconds(5))
                    .responseTimeout(PULL_TIMEOUT).build();
            docker = DockerClientImpl.getInstance(config, http);
            var version = docker.versionCmd().exec();
            ContainerIsolation isolation = new ContainerIsolation(docker, config, settings);
            return new Found(isolation, new Isolation.Probe("container", true, "engine at " + endpoint + " answers (version "
                    + version.getVersion() + ", API " + version.getApiVersion() + ")"));
        } catch (RuntimeException e) {
            closeQuietly(docker);
            return new Found(null, new Isolation.Probe("container", false, "the container engine at " + endpoint
                    + " does not answer: " + e.getMessage()));
        }
    }

    private static void closeQuietly(DockerClient docker) {
        if (docker != null) {
            try {
                docker.close();
            } catch (IOException | RuntimeException e) {
                // nothing to do
            }
        }
    }

    static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Removes the containers a dead worker of this host left (killed with SIGKILL, say): labelled with this host,
     * and a worker process that no longer exists.
     */
    void reapOrphans() {
        List<Container> ours = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_HOST, host())).exec();
        for (Container c : ours) {
            String pid = c.getLabels() == null ? null : c.getLabels().get(LABEL_PID);
            boolean ownerAlive = pid != null && pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isPresent();
            if (!ownerAlive) {
                LOG.info("removing container {} of run {}: the worker that started it is gone", c.getId(),
                        c.getLabels() == null ? "?" : c.getLabels().get(LABEL_RUN));
                remove(c.getId());
            }
        }
    }

    void remove(String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            LOG.warn("could not remove container {}: {}", containerId, e.getMessage());
        }
    }

    @Override
    public String name() {
        return "container";
    }

    @Override
    public Place open(Spec spec) throws IOException {
        String image = spec.image() == null || spec.image().isBlank() ? settings.defaultImage() : spec.image().strip();
        ensureImage(image);
        String ws = spec.workspace().toAbsolutePath().toString();
        HostConfig host = HostConfig.newHostConfig()
                .withBinds(new Bind(ws, new Volume(ws), AccessMode.rw))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withPidsLimit(settings.pids())
                .withMemory(settings.memoryBytes())
                .withMemorySwap(settings.memoryBytes())
                .withNanoCPUs((long) (settings.cpus() * 1_000_000_000L))
                .withNetworkMode(settings.network());
        String id;
        try {
            id = docker.createContainerCmd(image)
                    .withName("drover-run-" + spec.runId() + "-" + UUID.randomUUID().toString().substring(0, 8))
                    .withLabels(Map.of(LABEL_RUN, spec.runId(), LABEL_HOST, host(), LABEL_PID,
                            Long.toString(ProcessHandle.current().pid())))
                    .withUser(settings.agentUid() + ":" + settings.agentGid())
                    .withWorkingDir(ws)
                    .withEnv(List.of())
                    // it only keeps the container alive; the run's processes are execs
                    .withEntrypoint("sh", "-c", "while :; do sleep 3600; done")
                    .withCmd(List.of())
                    .withHostConfig(host)
                    .exec().getId();
        } catch (RuntimeException e) {
            throw new IOException("could not create a container of image " + image + ": " + e.getMessage(), e);
        }
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            remove(id);
            throw new IOException("could not start a container of image " + image + ": " + e.getMessage(), e);
        }
        return new ContainerPlace(this, docker, id, image, spec.workspace().toAbsolutePath(), settings);
    }

    /** The image, pulled with the worker's registry credentials (its Docker config) when the engine lacks it. */
    private void ensureImage(String image) throws IOException {
        try {
            docker.inspectImageCmd(image).exec();
            return;
        } catch (NotFoundException absent) {
            // pulled below
        }
        try {
            boolean done = docker.pullImageCmd(image).withAuthConfig(dockerConfig.effectiveAuthConfig(image))
                    .start().awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!done) {
                throw new IOException("pulling image " + image + " took longer than " + PULL_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pulling image " + image, e);
        } catch (RuntimeException e) {
            throw new IOException("image " + image + " is not on the container engine and could not be pulled: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(docker);
    }
}
