package dev.drover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code drover} command. Exit codes: 0 success, 1 the server refused or failed, 2 wrong usage. */
@Command(name = "drover", mixinStandardHelpOptions = true, version = "drover 0.1.0",
        description = "Open, self-hostable cloud-agent platform speaking the Oz Agent API.",
        subcommands = {ServeCommand.class, WorkerCommand.class, KeysCommand.class, RunCommand.class, RunsCommand.class,
            AgentsCommand.class, EnvironmentsCommand.class, SecretsCommand.class, SchedulesCommand.class,
            WebhooksCommand.class, ModelsCommand.class, DoctorCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this in-process). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof dev.drover.client.DroverApiException api) {
                cmd.getErr().println("error: " + api.getMessage());
                return 1;
            }
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
