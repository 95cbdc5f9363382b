package dev.drover.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import dev.drover.api.PlatformErrorCode;
import dev.drover.api.RunSecret;
import dev.drover.api.UsageStatus;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code claude}, {@code codex} and {@code gemini} harnesses: the agent CLI runs headless in the workspace as
 * an {@link AgentProcess} (scrubbed environment plus the CLI's own credentials, process group, sandbox, time
 * limit, cancellation), the composed prompt on its standard input; its JSON-lines stream is parsed as it comes
 * into the transcript and the run's token usage. Exit status 0, unless the stream reports a failure, is success.
 */
final class CliHarness implements Harness {
    /** Longest stream line read whole; a longer one is cut (and then is no longer JSON: it counts as noise). */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    static final int MAX_STATUS_CHARS = 1000;
    /** The largest message sent to the transcript whole (the server takes at most 1 MiB per append). */
    static final int MAX_MESSAGE_BYTES = 512 * 1024;

    private final CliAgent cli;
    private final WorkerConfig config;
    private final Place place;
    private final boolean root;

    CliHarness(CliAgent cli, WorkerConfig config, Place place) {
        // an isolated agent runs as the agent's unprivileged user, whatever the worker runs as
        this(cli, config, place, runsAsRoot() && place.backend().equals("none"));
    }

    CliHarness(CliAgent cli, WorkerConfig config, Place place, boolean root) {
        this.cli = cli;
        this.config = config;
        this.place = place;
        this.root = root;
    }

    /** The CLI's executable on this worker, or why there is none. */
    record Located(Path executable, String problem) {}

    /** The executable named by the CLI's path variable, else the first of its name on the worker's PATH. */
    Located locate() {
        Map<String, String> env = config.providerEnv();
        String configured = env.get(cli.pathVariable());
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? new Located(p, null)
                    : new Located(null, "The " + cli.name() + " harness needs the " + cli.name() + " CLI, but "
                            + cli.pathVariable() + "=" + configured + " on worker " + config.name()
                            + " is not an executable file; install it with " + cli.installHint());
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, cli.name());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return new Located(candidate, null);
            }
        }
        return new Located(null, "The " + cli.name() + " harness needs the `" + cli.name() + "` CLI on worker "
                + config.name() + "'s PATH (or " + cli.pathVariable() + " naming it); install it with "
                + cli.installHint());
    }

    /** In a container the CLI must be in the image: the worker's own installation is not there. */
    Located locateInContainer() throws IOException, InterruptedException {
        return place.hasExecutable(cli.name()) ? new Located(Path.of(cli.name()), null)
                : new Located(null, "The " + cli.name() + " harness needs the `" + cli.name() + "` CLI in the run's "
                        + "container image, which lacks it (" + place.describe() + "); install it in the image with "
                        + cli.installHint());
    }

    @Override
    public Outcome run(RunContext ctx) throws Exception {
        boolean inContainer = place.backend().equals("container");
        Located located = inContainer ? locateInContainer() : locate();
        if (located.executable() == null) {
            return Outcome.failed(located.problem(), PlatformErrorCode.FEATURE_NOT_AVAILABLE);
        }
        Map<String, String> workerEnv = config.providerEnv();
        if (ctx.harnessAuth() == null && cli.credentials().stream().noneMatch(name -> present(workerEnv, name))) {
            return Outcome.failed("The " + cli.name() + " harness needs " + String.join(" or ", cli.credentials())
                    + " in worker " + config.name() + "'s environment", PlatformErrorCode.INTEGRATION_NOT_CONFIGURED);
        }
        CliAgent.Invocation invocation = CliAgent.Invocation.of(ctx.run().agentConfig(), !place.backend().equals("none"),
                root);
        List<String> command = new ArrayList<>();
        command.add(located.executable().toString());
        command.addAll(cli.arguments(invocation));
        Map<String, String> env = environment(ctx.environment(), inContainer ? null : located.executable(), invocation,
                ctx.harnessAuth());

        // what this turn asks (the prompt, follow-ups with it or instead of it), as the CLI is told it (compose)
        ctx.transcript().text("user", ctx.task());
        StreamParser parser = cli.parser(invocation);
        Deque<String> noise = new ArrayDeque<>();
        AtomicBoolean overBudget = new AtomicBoolean();
        AtomicReference<String> spent = new AtomicReference<>();
        AtomicReference<Exception> readFailure = new AtomicReference<>();
        try (AgentProcess p = AgentProcess.streaming(command, ctx.workspace(), env, compose(ctx), place)) {
            ctx.cancellation().register(p);
            StreamParser.Sink sink = new TranscriptSink(ctx, config.outputCap(), (status) -> {
                if (overBudget.compareAndSet(false, true)) {
                    spent.set(String.format(Locale.ROOT, "The run's budget of $%.4f is spent ($%.4f); the %s CLI was stopped",
                            status.budgetUsd(), status.requestUsage().inferenceCostUsd(), cli.name()));
                    stopQuietly(p);
                }
            });
            Thread reader = Thread.ofVirtual().name("cli-stream-" + ctx.run().runId()).start(() -> {
                try {
                    read(p.stdout(), parser, sink, noise);
                } catch (Exception e) {
                    readFailure.set(e);
                    stopQuietly(p); // nobody drains the stream any more: the CLI would block on its next write
                }
            });
            boolean exited = p.waitFor(config.runTimeout());
            if (!exited) {
                p.stop();
            }
            reader.join(Duration.ofSeconds(5));
            if (reader.isAlive()) {
                p.stop(); // something the CLI started still holds its output open: now it is closed
                // what is left of the stream is read (and sent) before the verdict is taken; a process that left
                // the group (setsid) can keep the pipe open for ever, so the wait is bounded and the stream closed
                reader.join(Duration.ofSeconds(30));
                if (reader.isAlive()) {
                    try {
                        p.stdout().close();
                    } catch (java.io.IOException ignored) {
                        // closing is all we can do
                    }
                    reader.join(Duration.ofSeconds(5));
                }
            }
            if (ctx.cancellation().isCancelled()) {
                return Outcome.cancelled();
            }
            if (readFailure.get() != null) {
                throw readFailure.get();
            }
            if (overBudget.get()) {
                return Outcome.failed(spent.get(), PlatformErrorCode.BUDGET_EXCEEDED);
            }
            if (!exited) {
                return Outcome.failed("The " + cli.name() + " CLI ran longer than " + config.runTimeout()
                        + " and was stopped", PlatformErrorCode.OPERATION_NOT_SUPPORTED);
            }
            // the tail of standard error was cut from a longer text: a value cut at its start is redacted too
            return outcome(p.exitCode(), parser.verdict(), ctx.redactor().redactCut(p.errorTail()), noise, invocation);
        }
    }

    /** The run's environment, plus the CLI's credentials and settings from the worker's and what it needs. */
    Map<String, String> environment(Map<String, String> base, Path executable, CliAgent.Invocation invocation) {
        return environment(base, executable, invocation, null);
    }

    /**
     * The same with the run's own credential ({@code harness_auth_secrets}), when it has one: then that is the CLI's
     * only credential, and none of the worker's reaches the agent.
     */
    Map<String, String> environment(Map<String, String> base, Path executable, CliAgent.Invocation invocation,
            RunSecret auth) {
        Map<String, String> env = new LinkedHashMap<>(base);
        Map<String, String> workerEnv = config.providerEnv();
        if (auth != null) {
            cli.credentials().forEach(env::remove); // an environment secret of the same name is not a second one
            env.put(cli.authVariable(auth.value()), auth.value());
        } else {
            for (String name : cli.credentials()) {
                if (present(workerEnv, name)) {
                    env.put(name, workerEnv.get(name));
                }
            }
        }
        for (String name : cli.settings(workerEnv)) {
            if (present(workerEnv, name)) {
                env.put(name, workerEnv.get(name));
            }
        }
        // CLIs installed with npm start with `#!/usr/bin/env node`: the node beside them comes first
        String path = base.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("PATH", executable == null ? path : executable.toAbsolutePath().getParent() + ":" + path);
        env.putAll(cli.environment(invocation));
        return env;
    }

    /**
     * What the CLI is asked: {@code config.base_prompt} and the skill's instructions (what the built-in agent gets
     * as its system prompt), the conversation so far when the run continues one, then the prompt.
     */
    static String compose(RunContext ctx) {
        StringBuilder out = new StringBuilder();
        String base = ctx.instructions();
        if (base != null) {
            out.append(base).append("\n\n");
        }
        List<ChatMessage> earlier = OzHarness.history(ctx.history());
        if (!earlier.isEmpty()) {
            out.append("The conversation so far:\n\n");
            for (ChatMessage m : earlier) {
                if (m instanceof UserMessage u) {
                    out.append("User: ").append(u.singleText()).append("\n\n");
                } else if (m instanceof AiMessage a) {
                    out.append("You: ").append(a.text()).append("\n\n");
                }
            }
            out.append("Now:\n\n");
        }
        out.append(ctx.task());
        return out.toString();
    }

    private Outcome outcome(int exit, StreamParser.Verdict verdict, String stderr, Deque<String> noise,
            CliAgent.Invocation invocation) {
        String note = cli.note(invocation);
        String where = " (" + place.describe() + (note == null ? "" : "; " + note) + ")";
        if (exit == 0 && !Boolean.FALSE.equals(verdict.success())) {
            String summary = verdict.summary() == null || verdict.summary().isBlank()
                    ? "The " + cli.name() + " CLI finished (exit status 0)" : clip(verdict.summary().strip());
            return Outcome.succeeded(summary + where);
        }
        String why = verdict.error() != null && !verdict.error().isBlank() ? verdict.error().strip() : lastLines(stderr, noise);
        String head = exit == 0 ? "The " + cli.name() + " CLI reported a failure"
                : "The " + cli.name() + " CLI failed (exit status " + exit + ")";
        return Outcome.failed(head + (why.isEmpty() ? "" : ": " + clip(why)) + where, null);
    }

    /** The end of standard error, else of what the CLI printed that was not its stream: why it stopped. */
    private static String lastLines(String stderr, Deque<String> noise) {
        String text = stderr == null || stderr.isBlank() ? String.join("\n", noise) : stderr;
        List<String> lines = text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static String clip(String s) {
        return s.length() <= MAX_STATUS_CHARS ? s : s.substring(0, MAX_STATUS_CHARS) + "…";
    }

    /** Reads the stream line by line: JSON objects go to the parser, anything else is kept as noise. */
    static void read(InputStream stdout, StreamParser parser, StreamParser.Sink sink, Deque<String> noise)
            throws IOException {
        Lines lines = new Lines(stdout, MAX_LINE_BYTES);
        for (String line; (line = lines.next()) != null; ) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            JsonNode event = trimmed.startsWith("{") ? parse(trimmed) : null;
            if (event == null) {
                synchronized (noise) {
                    noise.addLast(trimmed.length() > 500 ? trimmed.substring(0, 500) + "…" : trimmed);
                    if (noise.size() > 20) {
                        noise.removeFirst();
                    }
                }
                continue;
            }
            parser.accept(event, sink);
        }
        parser.end(sink);
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = Json.mapper().readTree(line);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Lines of a stream, each cut at {@code max} bytes so a runaway line cannot exhaust the worker's memory. */
    static final class Lines {
        private final InputStream in;
        private final int max;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int len;

        Lines(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        /** The next line without its newline, or null at the end of the stream. */
        String next() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean any = false;
            while (true) {
                if (pos == len) {
                    int n = in.read(buf);
                    if (n <= 0) {
                        len = pos = 0;
                        return any ? line.toString(StandardCharsets.UTF_8) : null;
                    }
                    len = n;
                    pos = 0;
                }
                any = true;
                int nl = pos;
                while (nl < len && buf[nl] != '\n') {
                    nl++;
                }
                int room = max - line.size();
                if (room > 0) {
                    line.write(buf, pos, Math.min(room, nl - pos));
                }
                if (nl < len) {
                    pos = nl + 1;
                    return line.toString(StandardCharsets.UTF_8);
                }
                pos = len;
            }
        }
    }

    /**
     * Writes parsed messages to the transcript as they come, up to the worker's output cap (then once says it
     * stopped), and reports usage, handing a spent budget to {@code overBudget}.
     */
    static final class TranscriptSink implements StreamParser.Sink {
        private final RunContext ctx;
        private final long cap;
        private final java.util.function.Consumer<UsageStatus> overBudget;
        private final AtomicLong written = new AtomicLong();
        private boolean truncated;

        TranscriptSink(RunContext ctx, long cap, java.util.function.Consumer<UsageStatus> overBudget) {
            this.ctx = ctx;
            this.cap = cap;
            this.overBudget = overBudget;
        }

        @Override
        public void message(String role, List<Map<String, Object>> content) {
            if (content.isEmpty() || truncated) {
                return;
            }
            long size;
            try {
                size = Json.mapper().writeValueAsBytes(content).length;
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (size > MAX_MESSAGE_BYTES) {
                content = List.of(Blocks.text("[a " + role + " message of " + size + " bytes was left out of the transcript]"));
            }
            if (written.addAndGet(Math.min(size, MAX_MESSAGE_BYTES)) > cap) {
                truncated = true;
                ctx.transcript().append("system", List.of(Blocks.event("transcript_truncated",
                        Blocks.fields("reason", "the worker's output cap of " + cap + " bytes was reached"))));
                return;
            }
            ctx.transcript().append(role, content);
        }

        @Override
        public void usage(String modelId, long inputTokens, long outputTokens) {
            if (modelId == null || modelId.isBlank() || inputTokens + outputTokens <= 0) {
                return;
            }
            UsageStatus status = ctx.usage().record(modelId, inputTokens, outputTokens);
            if (status != null && status.budgetExceeded()) {
                overBudget.accept(status);
            }
        }
    }

    private static void stopQuietly(AgentProcess p) {
        try {
            p.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean present(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    /** Whether this worker runs as root (the owner of /proc/self is the process's effective user). */
    static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
