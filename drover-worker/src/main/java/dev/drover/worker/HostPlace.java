package dev.drover.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A place on the worker's own host: each process in a session and process group of its own ({@code setsid}), its
 * command line passed through {@code wrap} (bubblewrap's, or none), so that stopping signals the whole group.
 */
final class HostPlace implements Place {
    private final String backend;
    private final String description;
    private final Path workspace;
    private final UnaryOperator<List<String>> wrap;
    private final WorkspaceOwner owner;
    private final Set<Launched> started = ConcurrentHashMap.newKeySet();

    /** Gives the workspace to the agent's user; null when agents run as the worker's own user. */
    interface WorkspaceOwner {
        void own(Path workspace) throws IOException;
    }

    HostPlace(String backend, String description, Path workspace, UnaryOperator<List<String>> wrap, WorkspaceOwner owner) {
        this.backend = backend;
        this.description = description;
        this.workspace = workspace;
        this.wrap = wrap;
        this.owner = owner;
    }

    @Override
    public String backend() {
        return backend;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Path workspace() {
        return workspace;
    }

    @Override
    public Launched launch(List<String> command, Map<String, String> env, String stdin, boolean mergeErrors)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(hostCommand(command)).directory(workspace.toFile())
                .redirectErrorStream(mergeErrors);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process = pb.start();
        Thread.ofVirtual().name("agent-input-" + process.pid()).start(() -> feed(process, stdin));
        Launched launched = new Group(process);
        started.add(launched);
        return launched;
    }

    @Override
    public List<String> hostCommand(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("setsid", "--wait"));
        cmd.addAll(wrap.apply(command));
        return cmd;
    }

    @Override
    public void handOver() throws IOException {
        if (owner != null) {
            owner.own(workspace);
        }
    }

    private static void feed(Process process, String stdin) {
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the agent may exit without reading its input; that is its business
        }
    }

    @Override
    public void close() {
        for (Launched l : started) {
            try {
                l.stop(AgentProcess.GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A process and its group: setsid made the child the leader of a new session and process group. */
    private record Group(Process process, ProcessGroup group) implements Launched {
        Group(Process process) {
            this(process, new ProcessGroup(process.pid()));
        }

        @Override
        public boolean alive() {
            return process.isAlive() || group.alive();
        }

        @Override
        public void stop(Duration grace) throws InterruptedException {
            if (!alive()) {
                return;
            }
            group.signal("TERM");
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) || group.alive()) {
                group.signal("KILL");
                process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }
}
