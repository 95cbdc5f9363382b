package dev.drover.cli;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.CreateScheduledAgentRequest;
import dev.drover.api.ScheduledAgentItem;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover schedules list|get|create|pause|resume|delete}: agents on a cron schedule. */
@Command(name = "schedules", mixinStandardHelpOptions = true, description = "Run agents on a cron schedule (UTC).",
        subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.Get.class, SchedulesCommand.Create.class,
            SchedulesCommand.Pause.class, SchedulesCommand.Resume.class, SchedulesCommand.Delete.class})
final class SchedulesCommand {

    static void print(ScheduledAgentItem s, boolean json) {
        if (json) {
            System.out.println(Output.json(s));
            return;
        }
        System.out.println(s.id() + "  " + s.name() + "  \"" + s.cronSchedule() + "\"  " + (s.enabled() ? "enabled" : "paused"));
        if (s.history() != null) {
            System.out.println("  next run " + (s.history().nextRun() == null ? "–" : s.history().nextRun())
                    + ", last ran " + (s.history().lastRan() == null ? "never" : s.history().lastRan()));
        }
        if (s.lastSpawnError() != null) {
            System.out.println("  last tick created no run: " + s.lastSpawnError());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List schedules by name.")
    static final class ListSchedules implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            List<ScheduledAgentItem> all = client.client().schedules().schedules();
            if (json) {
                System.out.println(Output.json(all));
                return 0;
            }
            System.out.printf("%-36s  %-8s  %-16s  %-20s  %s%n", "SCHEDULE", "STATE", "CRON", "NEXT RUN", "NAME");
            all.forEach(s -> System.out.printf("%-36s  %-8s  %-16s  %-20s  %s%n", s.id(), s.enabled() ? "enabled" : "paused",
                    s.cronSchedule(), s.history() == null || s.history().nextRun() == null ? "–" : s.history().nextRun(),
                    s.name()));
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one schedule.")
    static final class Get extends OnOne {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(client.client().getSchedule(id), json);
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a schedule.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--name", required = true, description = "Name of the schedule.")
        String name;

        @Option(names = "--cron", required = true,
                description = "Five fields, UTC: minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\".")
        String cron;

        @Option(names = "--prompt", description = "What the agent is asked each time (or --skill).")
        String prompt;

        @Option(names = "--skill", description = "Skill spec the agent runs, e.g. owner/repo:skill-name.")
        String skill;

        @Option(names = "--env", description = "Environment id.")
        String environment;

        @Option(names = "--model", description = "Model id (see `drover models`).")
        String model;

        @Option(names = "--paused", description = "Create it paused.")
        boolean paused;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            AmbientAgentConfig config = skill == null && environment == null && model == null ? null
                    : new AmbientAgentConfig(null, model, null, environment, skill, null, null, null, null, null, null);
            print(client.client().createSchedule(new CreateScheduledAgentRequest(name, cron, prompt, !paused, config,
                    null)), json);
            return 0;
        }
    }

    /** The commands that act on one schedule by id: the client and the id, then what to do with them. */
    abstract static class OnOne implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "SCHEDULE_ID")
        String id;
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop a schedule firing.")
    static final class Pause extends OnOne {
        @Override
        public Integer call() {
            print(client.client().pauseSchedule(id), false);
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Fire a paused schedule again from its next tick.")
    static final class Resume extends OnOne {
        @Override
        public Integer call() {
            print(client.client().resumeSchedule(id), false);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a schedule; its runs remain.")
    static final class Delete extends OnOne {
        @Override
        public Integer call() {
            client.client().deleteSchedule(id);
            System.out.println("deleted " + id);
            return 0;
        }
    }
}
