package dev.drover.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One run's container: processes are execs as the agent's user; closing removes the container. */
final class ContainerPlace implements Place {
    /** Where a process's standard input is put for it: attached stdin does not reliably deliver EOF over the API. */
    static final String STDIN_DIR = ".drover/stdin";

    private final ContainerIsolation isolation;
    private final DockerClient docker;
    private final String containerId;
    private final String image;
    private final Path workspace;
    private final IsolationSettings settings;
    private final AtomicInteger inputs = new AtomicInteger();

    ContainerPlace(ContainerIsolation isolation, DockerClient docker, String containerId, String image, Path workspace,
            IsolationSettings settings) {
        this.isolation = isolation;
        this.docker = docker;
        this.containerId = containerId;
        this.image = image;
        this.workspace = workspace;
        this.settings = settings;
    }

    @Override
    public String backend() {
        return "container";
    }

    @Override
    public String describe() {
        return "isolation: container (image " + image + ", uid " + settings.agentUid() + ", network " + settings.network() + ")";
    }

    String containerId() {
        return containerId;
    }

    String image() {
        return image;
    }

    @Override
    public Path workspace() {
        return workspace;
    }

    @Override
    public Launched launch(List<String> command, Map<String, String> env, String stdin, boolean mergeErrors)
            throws IOException {
        String input = "/dev/null";
        if (stdin != null) {
            Path dir = Files.createDirectories(workspace.resolve(STDIN_DIR));
            Path file = dir.resolve("input-" + inputs.incrementAndGet());
            Files.writeString(file, stdin);
            Ownership.give(workspace.resolve(".drover"), settings.agentUid(), settings.agentGid());
            input = file.toString();
        }
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" < \"$0\"", input));
        cmd.addAll(command);
        List<String> envList = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        String execId;
        try {
            execId = docker.execCreateCmd(containerId).withCmd(cmd.toArray(String[]::new)).withEnv(envList)
                    .withUser(settings.agentUid() + ":" + settings.agentGid()).withWorkingDir(workspace.toString())
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
        } catch (RuntimeException e) {
            throw new IOException("could not start a process in the run's container: " + e.getMessage(), e);
        }
        ExecProcess process = new ExecProcess(execId, mergeErrors);
        docker.execStartCmd(execId).exec(process.callback);
        return process;
    }

    /** An exec inside the container, seen as a {@link Process}. */
    private final class ExecProcess extends Process implements Launched {
        private final String execId;
        private final ChunkPipe out = new ChunkPipe();
        private final ChunkPipe err;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Integer exitCode;
        final ResultCallback.Adapter<Frame> callback;

        ExecProcess(String execId, boolean mergeErrors) {
            this.execId = execId;
            this.err = mergeErrors ? out : new ChunkPipe();
            this.callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    (frame.getStreamType() == StreamType.STDERR ? err : out).write(frame.getPayload());
                }

                @Override
                public void onError(Throwable t) {
                    finished();
                }

                @Override
                public void onComplete() {
                    finished();
                }
            };
        }

        private void finished() {
            if (done.getCount() == 0) {
                return;
            }
            exitCode = readExitCode();
            out.end();
            if (err != out) {
                err.end();
            }
            done.countDown();
        }

        /** The engine may report the exec running for a moment after its output ended. */
        private int readExitCode() {
            for (int i = 0; i < 50; i++) {
                try {
                    var inspected = docker.inspectExecCmd(execId).exec();
                    if (!Boolean.TRUE.equals(inspected.isRunning()) && inspected.getExitCodeLong() != null) {
                        return inspected.getExitCodeLong().intValue();
                    }
                    Thread.sleep(20); // polling: the API has no wait for an exec
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 137;
                } catch (RuntimeException e) {
                    return 137; // the container is gone: it was killed
                }
            }
            return 137;
        }

        @Override
        public Process process() {
            return this;
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream(); // the input was given at launch
        }

        @Override
        public InputStream getInputStream() {
            return out;
        }

        @Override
        public InputStream getErrorStream() {
            return err;
        }

        @Override
        public int waitFor() throws InterruptedException {
            done.await();
            return exitCode;
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return done.await(timeout, unit);
        }

        @Override
        public int exitValue() {
            if (done.getCount() > 0) {
                throw new IllegalThreadStateException("still running");
            }
            return exitCode;
        }

        @Override
        public void destroy() {
            try {
                stop(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean isAlive() {
            return done.getCount() > 0;
        }

        @Override
        public boolean alive() {
            return isAlive();
        }

        /**
         * Signals every process of the agent's user in the container (kill -1 spares the container's init): a
         * run's processes run one after the other, so that is this one and whatever it started.
         */
        @Override
        public void stop(Duration grace) throws InterruptedException {
            if (!alive()) {
                return;
            }
            signalAll("TERM");
            if (!done.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                signalAll("KILL");
                done.await(AgentProcess.GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void signalAll(String signal) {
        try {
            // attached like every exec: an unattached, undetached start is not run by every engine
            String id = docker.execCreateCmd(containerId).withCmd("sh", "-c", "kill -" + signal + " -1")
                    .withUser(settings.agentUid() + ":" + settings.agentGid()).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
            docker.execStartCmd(id).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the container is gone, and its processes with it
        }
    }

    /** A bridge JVM whose standard streams are an exec's in this container (stdio MCP servers). */
    @Override
    public List<String> hostCommand(List<String> command) {
        return ExecBridge.command(isolation.endpoint(), containerId, settings.agentUid() + ":" + settings.agentGid(),
                workspace.toString(), command);
    }

    @Override
    public void handOver() throws IOException {
        Ownership.give(workspace, settings.agentUid(), settings.agentGid());
    }

    @Override
    public boolean hasExecutable(String name) throws IOException, InterruptedException {
        Launched l = launch(List.of("sh", "-c", "command -v \"$0\"", name), Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"),
                null, true);
        return l.process().waitFor(30, TimeUnit.SECONDS) && l.process().exitValue() == 0;
    }

    /** Kills and removes the container, and with it every process of the run. */
    @Override
    public void close() {
        isolation.remove(containerId);
    }

}
