package dev.drover.worker;

import dev.drover.api.ClaimedRun;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.Redactor;
import dev.drover.api.RunEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Prepares a run's workspace from its environment before the agent starts: each repository cloned with JGit into
 * {@code <workspace>/<repo>}, then the setup commands run in order in the workspace exactly as agents run (the
 * same scrubbed environment, sandbox, process group, output cap and cancellation), each with its output in the
 * transcript. A clone or command that fails ends the run FAILED with {@code environment_setup_failed}.
 *
 * <p>Credentials ({@link GitCredential}): the environment's {@code git_secret}, else the worker's
 * {@code DROVER_GIT_TOKEN}, is handed to JGit for http(s) clones only, as a password (user {@code x-access-token},
 * which GitHub expects for tokens). It is never part of a clone URL, so it is not written to the clone's
 * {@code .git/config}, not logged, and never reaches an agent or a setup command.
 */
final class EnvironmentSetup {
    /** Network inactivity after which a clone is given up. */
    static final int CLONE_TIMEOUT_SECONDS = 120;
    /** How much of a setup command's output (its end) goes into the transcript. */
    static final int TRANSCRIPT_OUTPUT_CHARS = 64 * 1024;

    private final WorkerConfig config;
    EnvironmentSetup(WorkerConfig config) {
        this.config = config;
    }

    /**
     * Clones and sets up; null when the workspace is ready for the agent, otherwise how the run ends (failed, or
     * cancelled when the run was stopped meanwhile).
     */
    Outcome prepare(ClaimedRun claimed, Path workspace, Map<String, String> env, Cancellation cancellation,
            TranscriptWriter transcript, Place place, Redactor redactor) throws InterruptedException {
        String wanted = claimed.run().agentConfig() == null ? null : claimed.run().agentConfig().environmentId();
        RunEnvironment environment = claimed.environment();
        if (environment == null) {
            return wanted == null ? null : Outcome.failed("The run's environment " + wanted
                    + " no longer exists; it was deleted after the run was created", PlatformErrorCode.RESOURCE_NOT_FOUND);
        }
        GitCredential credential = GitCredential.forRun(claimed, config.gitToken());
        transcript.append("system", List.of(event("environment_setup", describe(environment, place, credential))));
        for (RunEnvironment.Repository repo : environment.repos()) {
            if (cancellation.isCancelled()) {
                return Outcome.cancelled();
            }
            Outcome failed = clone(repo, workspace, cancellation, transcript, credential,
                    Delivery.privateCopy(config.workRoot(), claimed.run().runId(), repo.repo()));
            if (failed != null) {
                return failed;
            }
        }
        try {
            // cloned by the worker (its git token never enters the run's place), then handed to the agent's user
            place.handOver();
        } catch (java.io.IOException e) {
            return Outcome.failed("Could not hand the cloned repositories to the agent's user: " + e.getMessage(),
                    PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
        }
        long deadline = System.nanoTime() + config.runTimeout().toNanos();
        List<String> commands = environment.setupCommands();
        for (int i = 0; i < commands.size(); i++) {
            if (cancellation.isCancelled()) {
                return Outcome.cancelled();
            }
            Outcome failed = runCommand(i, commands.size(), commands.get(i), workspace, env, cancellation, transcript,
                    deadline, place, redactor);
            if (failed != null) {
                return failed;
            }
        }
        return null;
    }

    private static Map<String, Object> describe(RunEnvironment e, Place place, GitCredential credential) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("environment_id", e.uid());
        data.put("name", e.name());
        if (e.dockerImage() != null) {
            data.put("docker_image", e.dockerImage());
            // only the container backend runs the image; the others say so rather than pretend
            data.put("docker_image_used", place.backend().equals("container"));
        }
        data.put("repos", e.repos().stream().map(r -> r.owner() + "/" + r.repo()).toList());
        if (!e.repos().isEmpty()) {
            data.put("git_credential", credential.source()); // whose token: "worker" or "secret NAME", never the value
        }
        data.put("setup_commands", e.setupCommands().size());
        return data;
    }

    private Outcome clone(RunEnvironment.Repository repo, Path workspace, Cancellation cancellation,
            TranscriptWriter transcript, GitCredential credential, Path privateCopy) {
        String name = repo.owner() + "/" + repo.repo();
        Path dir = workspace.resolve(repo.repo());
        try (Git git = Git.cloneRepository()
                .setURI(repo.cloneUrl())
                .setDirectory(dir.toFile())
                .setTimeout(CLONE_TIMEOUT_SECONDS)
                .setCredentialsProvider(credential.forUrl(repo.cloneUrl()))
                .setProgressMonitor(new EmptyProgressMonitor() {
                    @Override
                    public boolean isCancelled() {
                        return cancellation.isCancelled();
                    }
                })
                .call()) {
            ObjectId head = git.getRepository().resolve("HEAD");
            if (head != null) {
                // the commit the run's changes are delivered from, kept where the agent cannot reach (Delivery)
                Delivery.keepPristine(dir, privateCopy);
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("repo", name);
            data.put("directory", repo.repo());
            if (head != null) {
                data.put("commit", head.name());
            }
            transcript.append("system", List.of(event("repository_cloned", data)));
            return null;
        } catch (Exception e) {
            if (cancellation.isCancelled()) {
                return Outcome.cancelled();
            }
            String why = "Could not clone " + name + " from " + repo.cloneUrl() + ": " + reason(e);
            transcript.append("system", List.of(event("repository_clone_failed", Map.of("repo", name, "error", why))));
            return Outcome.failed(why, PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
        }
    }

    /** The innermost message: JGit wraps the useful one ("repository not found") in generic ones. */
    static String reason(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message.strip();
    }

    private Outcome runCommand(int index, int count, String command, Path workspace, Map<String, String> env,
            Cancellation cancellation, TranscriptWriter transcript, long deadline, Place place, Redactor redactor)
            throws InterruptedException {
        String actionId = "setup-" + (index + 1);
        transcript.append("system", List.of(Map.of("type", "action", "id", actionId, "category", "command",
                "name", "setup_command", "input", Map.of("command", command))));
        String label = "Setup command " + (index + 1) + " of " + count + " (" + shorten(command) + ")";
        try (AgentProcess p = AgentProcess.start(List.of("sh", "-c", command), workspace, env, null,
                config.outputCap(), place)) {
            cancellation.register(p);
            long left = deadline - System.nanoTime();
            boolean exited = left > 0 && p.waitFor(Duration.ofNanos(left));
            if (!exited) {
                p.stop();
            }
            if (cancellation.isCancelled()) {
                return Outcome.cancelled();
            }
            // redacted before it is cut: a cut through a value would leave the rest of it unrecognised
            String output = redactor.redact(p.output());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("output", last(output, TRANSCRIPT_OUTPUT_CHARS));
            if (exited) {
                result.put("exit_code", p.exitCode());
            }
            if (p.droppedBytes() > 0) {
                result.put("output_dropped_bytes", p.droppedBytes());
            }
            boolean ok = exited && p.exitCode() == 0;
            transcript.append("tool", List.of(Map.of("type", "action_result", "action_id", actionId,
                    "category", "command", "name", "setup_command", "state", ok ? "completed" : "failed",
                    "output", result)));
            if (ok) {
                return null;
            }
            String tail = CommandHarness.tail(output);
            String detail = (tail.isEmpty() ? "" : ": " + tail) + " (" + place.describe() + ")";
            return Outcome.failed(exited ? label + " exited with status " + p.exitCode() + detail
                    : label + " was stopped after running longer than " + config.runTimeout() + detail,
                    PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
        } catch (java.io.IOException e) {
            return Outcome.failed(label + " could not be started: " + e.getMessage(),
                    PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
        }
    }

    private static Map<String, Object> event(String name, Map<String, Object> data) {
        return Map.of("type", "event", "name", name, "data", data);
    }

    private static String shorten(String command) {
        String oneLine = command.strip().replaceAll("\\s+", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }

    /** The end of {@code text} (errors come last), never starting inside a surrogate pair. */
    static String last(String text, int chars) {
        if (text.length() <= chars) {
            return text;
        }
        int from = text.length() - chars;
        if (Character.isLowSurrogate(text.charAt(from))) {
            from++;
        }
        return "…" + text.substring(from);
    }
}
