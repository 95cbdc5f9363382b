package dev.drover.cli;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.Harness;
import dev.drover.api.RunAgentRequest;
import dev.drover.api.RunAgentResponse;
import dev.drover.api.RunItem;
import dev.drover.api.RunState;
import dev.drover.client.DroverClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover run "prompt"}: create a run. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Create a run from a prompt or a skill.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(arity = "0..1", paramLabel = "PROMPT")
    String prompt;

    @Option(names = "--skill", description = "Skill spec, e.g. owner/repo:skill-name.")
    String skill;

    @Option(names = "--env", description = "Environment id.")
    String environment;

    @Option(names = "--model", description = "Model id (see `drover models`).")
    String model;

    @Option(names = "--name", description = "config.name, for grouping and filtering runs.")
    String name;

    @Option(names = "--title", description = "Title (generated from the prompt when absent).")
    String title;

    @Option(names = "--harness", description = "Harness: oz (default), claude, codex, gemini or command.")
    String harness;

    @Option(names = "--command", description = "For --harness command: the command line to run; the prompt is its input.")
    String command;

    @Option(names = "--identity", paramLabel = "UID",
            description = "Run as this agent identity of your team (`drover identities list`): its configuration applies "
                    + "under the options given here.")
    String identity;

    @Option(names = "--json", description = "Print the server's reply as JSON.")
    boolean json;

    @Option(names = {"-f", "--follow"}, description = "Stream the run's state changes and transcript until it ends; exit 0 only if it SUCCEEDED.")
    boolean follow;

    @Override
    public Integer call() {
        Harness h = harness == null && command == null ? null
                : new Harness(harness != null ? harness : "command", command);
        DroverClient api = client.client();
        AmbientAgentConfig config = new AmbientAgentConfig(name, model, null, environment, null, null, null, null,
                null, h, null);
        RunAgentResponse r = api.createRun(new RunAgentRequest(prompt, skill, config, title, null, identity,
                null, null, null, null, null));
        System.out.println(json ? Output.json(r) : r.runId() + " " + r.state() + (Boolean.TRUE.equals(r.atCapacity())
                ? " (team at capacity: it waits for earlier runs)" : ""));
        if (!follow) {
            return 0;
        }
        if (json) {
            api.followEvents(List.of(r.runId()), 0, e -> { });
        } else {
            followLive(api, r.runId());
        }
        RunItem done = api.getRun(r.runId());
        if (json) {
            System.out.println(Output.json(done));
        } else {
            System.out.println(done.state() + (done.statusMessage() == null ? "" : ": " + done.statusMessage().message()));
        }
        return done.state() == RunState.SUCCEEDED ? 0 : 1;
    }

    /**
     * One timeline in the event log's order: the run's events as they commit, each {@code transcript_appended}
     * replaced by the transcript lines it appended (its {@code ref_id} names the last of them).
     */
    private static void followLive(DroverClient api, String runId) {
        TranscriptPrinter transcript = new TranscriptPrinter(api, runId, System.out);
        api.followEvents(List.of(runId), 0, e -> {
            if ("transcript_appended".equals(e.eventType())) {
                transcript.printThrough(e.refId());
            } else {
                System.out.println(e.occurredAt() + "  " + e.eventType() + (e.refId() == null ? "" : "  " + e.refId()));
            }
        });
        transcript.printNew();
    }
}
