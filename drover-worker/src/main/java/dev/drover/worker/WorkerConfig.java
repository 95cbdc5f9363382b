package dev.drover.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a worker process needs to know.
 *
 * @param workRoot where per-run workspaces are created
 * @param runTimeout wall-clock limit of one run's agent process
 * @param outputCap bytes of agent output kept per run; the rest is counted and dropped
 * @param hiddenPaths directories agents must not see (the server's data directory for embedded workers)
 * @param providerEnv the worker's own environment: model provider credentials (OPENAI_API_KEY, OPENAI_BASE_URL,
 *     ...) for the built-in agent's model client, and the PATH, {@code DROVER_<CLI>_PATH} and credentials with
 *     which the claude, codex and gemini harnesses find and authenticate their CLI. An agent's processes never see
 *     it, except that a CLI harness hands its own CLI the few variables that CLI needs
 * @param maxIdle the longest a finished run's workspace is kept, whatever its {@code idle_timeout_minutes} asks
 * @param gitToken the token environments' repositories are cloned with over http(s) ({@code DROVER_GIT_TOKEN});
 *     the worker's own, never sent by the server, never in an agent's or setup command's environment
 * @param isolation how agents are isolated ({@code --isolation}, {@code DROVER_ISOLATION}, limits, default image)
 */
public record WorkerConfig(String serverUrl, String apiKey, String name, String pool, int slots, Path workRoot,
        Duration runTimeout, long outputCap, List<Path> hiddenPaths, Map<String, String> providerEnv, Duration maxIdle,
        String gitToken, IsolationSettings isolation) {

    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofHours(1);
    public static final long DEFAULT_OUTPUT_CAP = 8L * 1024 * 1024;
    /** The spec's default idle timeout, and its maximum. */
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);
    public static final Duration MAX_IDLE = Duration.ofMinutes(60);

    public WorkerConfig {
        if (slots < 1) {
            throw new IllegalArgumentException("slots: at least 1");
        }
        hiddenPaths = List.copyOf(hiddenPaths);
        providerEnv = Map.copyOf(providerEnv);
        maxIdle = maxIdle == null ? MAX_IDLE : maxIdle;
        gitToken = gitToken == null || gitToken.isBlank() ? null : gitToken;
        isolation = isolation == null ? IsolationSettings.fromEnv(providerEnv) : isolation;
    }

    /** With the isolation read from {@code providerEnv} ({@code DROVER_ISOLATION} and the others). */
    public WorkerConfig(String serverUrl, String apiKey, String name, String pool, int slots, Path workRoot,
            Duration runTimeout, long outputCap, List<Path> hiddenPaths, Map<String, String> providerEnv, Duration maxIdle,
            String gitToken) {
        this(serverUrl, apiKey, name, pool, slots, workRoot, runTimeout, outputCap, hiddenPaths, providerEnv, maxIdle,
                gitToken, null);
    }

    /** The same worker with {@code settings} as its isolation. */
    public WorkerConfig withIsolation(IsolationSettings settings) {
        return new WorkerConfig(serverUrl, apiKey, name, pool, slots, workRoot, runTimeout, outputCap, hiddenPaths,
                providerEnv, maxIdle, gitToken, settings);
    }

    /**
     * The worker {@code drover serve} runs in its own process: workspaces beside the data directory
     * ({@code <data-dir>-workspaces}), not in it, because agents run as an unprivileged uid that must reach their
     * workspace while the data directory (the database and the keys) stays 0700 and hidden from them; providers
     * from {@code env}.
     */
    public static WorkerConfig embedded(String serverUrl, String workerKey, int slots, Path dataDir,
            Map<String, String> env) {
        Path data = dataDir.toAbsolutePath().normalize();
        return new WorkerConfig(serverUrl, workerKey, "embedded", "default", slots,
                data.resolveSibling(data.getFileName() + "-workspaces"), DEFAULT_RUN_TIMEOUT, DEFAULT_OUTPUT_CAP,
                List.of(data), env, MAX_IDLE);
    }

    /** With the git token read from {@code providerEnv}'s {@code DROVER_GIT_TOKEN} (the worker's environment). */
    public WorkerConfig(String serverUrl, String apiKey, String name, String pool, int slots, Path workRoot,
            Duration runTimeout, long outputCap, List<Path> hiddenPaths, Map<String, String> providerEnv, Duration maxIdle) {
        this(serverUrl, apiKey, name, pool, slots, workRoot, runTimeout, outputCap, hiddenPaths, providerEnv, maxIdle,
                providerEnv.get(GIT_TOKEN_VARIABLE));
    }

    public static final String GIT_TOKEN_VARIABLE = "DROVER_GIT_TOKEN";

    /**
     * What the sandbox hides from agents: the configured paths and the work root, so that a run sees its own
     * workspace (bound back in) and not those of other runs, other teams' included.
     */
    List<Path> sandboxHidden() {
        List<Path> all = new java.util.ArrayList<>(hiddenPaths);
        all.add(workRoot.toAbsolutePath());
        return all;
    }

    /** Never the worker key, provider credentials nor the git token. */
    @Override
    public String toString() {
        return "WorkerConfig[serverUrl=" + serverUrl + ", apiKey=***, name=" + name + ", pool=" + pool + ", slots="
                + slots + ", workRoot=" + workRoot + ", runTimeout=" + runTimeout + ", outputCap=" + outputCap
                + ", hiddenPaths=" + hiddenPaths + ", providerEnv=" + providerEnv.keySet() + ", maxIdle=" + maxIdle + ", gitToken=" + (gitToken == null ? null : "***") + ", isolation=" + isolation + "]";
    }
}
