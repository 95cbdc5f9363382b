package dev.drover.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A host process that is a process inside a run's container: its standard streams connected to an exec's (stdin
 * attached). Stdio MCP servers need it, because the MCP library starts the server process itself with a
 * {@link ProcessBuilder}; on a container worker that process is this bridge, in a JVM of its own.
 *
 * <p>Arguments: {@code <engine endpoint> <container id> <uid:gid> <working dir> -- <command...>}. The exec gets
 * exactly this process's environment (the run's scrubbed one, as the worker started it). Exits with the exec's
 * status.
 */
public final class ExecBridge {
    private ExecBridge() {}

    /** The host command line that runs {@code command} in the container through a bridge JVM. */
    static List<String> command(String endpoint, String containerId, String user, String workdir, List<String> command) {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> out = new ArrayList<>(List.of(javaBin, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), ExecBridge.class.getName(), endpoint, containerId, user, workdir, "--"));
        out.addAll(command);
        return out;
    }

    public static void main(String[] args) throws Exception {
        // standard output is the MCP stream: whatever logs (the engine client's logging) goes to standard error
        PrintStream out = System.out;
        System.setOut(System.err);
        int dashes = Arrays.asList(args).indexOf("--");
        if (dashes != 4 || args.length < 6) {
            System.err.println("usage: ExecBridge <endpoint> <container> <uid:gid> <workdir> -- <command...>");
            System.exit(2);
        }
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(args[0]).build();
        var http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5)).build();
        try (DockerClient docker = DockerClientImpl.getInstance(config, http)) {
            List<String> env = System.getenv().entrySet().stream().map(Map.Entry::getKey)
                    .map(k -> k + "=" + System.getenv(k)).toList();
            String execId = docker.execCreateCmd(args[1]).withCmd(Arrays.copyOfRange(args, 5, args.length)).withEnv(env)
                    .withUser(args[2]).withWorkingDir(args[3]).withAttachStdin(true).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
            PrintStream err = System.err;
            docker.execStartCmd(execId).withStdIn(System.in).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    PrintStream to = frame.getStreamType() == StreamType.STDERR ? err : out;
                    to.write(frame.getPayload(), 0, frame.getPayload().length);
                    to.flush();
                }
            }).awaitCompletion();
            Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
            System.exit(code == null ? 1 : code.intValue());
        }
    }
}
