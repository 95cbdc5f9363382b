package dev.drover.cli;

import dev.drover.api.ConversationResponse;
import dev.drover.api.RunDiffResponse;
import dev.drover.api.FollowupResponse;
import dev.drover.api.RunItem;
import dev.drover.api.RunState;
import dev.drover.client.RunQuery;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code drover runs list|get|cancel|transcript|followup|diff}. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, show, cancel and follow up runs.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Get.class, RunsCommand.Cancel.class,
            RunsCommand.Transcript.class, RunsCommand.Followup.class, RunsCommand.Diff.class})
final class RunsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest update first.")
    static final class ListRuns implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--state", description = "Only runs in this state (repeatable).")
        List<RunState> states = List.of();

        @Option(names = "--name", description = "Only runs with this config.name.")
        String name;

        @Option(names = {"--creator", "--identity"}, paramLabel = "UID",
                description = "Only runs created by this principal; an agent identity's uid lists the runs that acted as it.")
        String creator;

        @Option(names = "--limit", defaultValue = "20", description = "How many runs (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit: must be at least 1, not " + limit);
            }
            RunQuery q = RunQuery.all().limit(Math.min(limit, 500));
            states.forEach(q::state);
            if (name != null) {
                q.name(name);
            }
            if (creator != null) {
                q.creator(creator);
            }
            List<RunItem> runs = client.client().runs(q).limit(limit).toList();
            if (json) {
                System.out.println(Output.json(runs));
            } else {
                System.out.printf("%-36s  %-10s  %-27s  %s%n", "RUN", "STATE", "UPDATED", "TITLE");
                runs.forEach(r -> System.out.printf("%-36s  %-10s  %-27s  %s%n", r.runId(), r.state(), r.updatedAt(), r.title()));
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one run.")
    static final class Get implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID")
        String runId;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            RunItem r = client.client().getRun(runId);
            if (json) {
                System.out.println(Output.json(r));
            } else {
                System.out.println(r.runId() + "  " + r.state() + "  " + r.title());
                System.out.println("  created " + r.createdAt() + ", updated " + r.updatedAt());
                if (r.statusMessage() != null) {
                    System.out.println("  " + r.statusMessage().message());
                }
                System.out.println("  session " + r.sessionLink());
            }
            return 0;
        }
    }

    @Command(name = "transcript", mixinStandardHelpOptions = true, description = "Print a run's conversation.")
    static final class Transcript implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID")
        String runId;

        @Option(names = "--json", description = "Print the normalized conversation as JSON.")
        boolean json;

        @Override
        public Integer call() {
            ConversationResponse c = client.client().conversation(runId);
            if (json) {
                System.out.println(Output.json(c));
                return 0;
            }
            TranscriptPrinter.printAll(c, System.out);
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Print a run's changes as one patch (git apply takes it), or a summary with --stat.")
    static final class Diff implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID")
        String runId;

        @Option(names = "--stat", description = "Per repository: its branch, whether it was pushed, and the lines "
                + "changed per file.")
        boolean stat;

        @Option(names = "--json", description = "Print the diffs as JSON (GET /agent/runs/{id}/diff).")
        boolean json;

        @Override
        public Integer call() {
            if (json) {
                System.out.println(Output.json(client.client().diff(runId)));
            } else if (stat) {
                RunDiffResponse diff = client.client().diff(runId);
                if (diff.repos().isEmpty()) {
                    System.out.println("no changes");
                }
                diff.repos().forEach(d -> System.out.print(DiffStat.of(d)));
            } else {
                System.out.print(client.client().patch(runId));
            }
            return 0;
        }
    }

    @Command(name = "followup", mixinStandardHelpOptions = true,
            description = "Send a follow-up: the run takes another turn with MESSAGE (a running agent receives it at its "
                    + "next step; a run that ended is queued again and continues its conversation in its workspace).")
    static final class Followup implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "RUN_ID")
        String runId;

        @Parameters(index = "1", paramLabel = "MESSAGE")
        String message;

        @Option(names = "--mode", description = "normal (default), plan or orchestrate.")
        String mode;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            FollowupResponse r = client.client().followUp(runId, message, mode);
            if (json) {
                System.out.println(dev.drover.api.Json.mapper().writeValueAsString(r));
            } else {
                System.out.println(switch (r.outcome()) {
                    case FollowupResponse.HANDOFF_EXECUTION -> "run " + r.runId() + " continues: queued for another turn";
                    case FollowupResponse.LIVE_SESSION -> "delivered to run " + r.runId() + " (" + r.state()
                            + "): its agent reads it at its next step";
                    default -> "queued for run " + r.runId() + " (" + r.state() + "): its agent reads it when it starts";
                } + " (follow-up " + r.followupId() + ")");
            }
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a run.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID")
        String runId;

        @Override
        public Integer call() {
            System.out.println("cancelled " + client.client().cancelRun(runId));
            return 0;
        }
    }
}
