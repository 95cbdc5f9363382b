package dev.drover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code drover} command. Exit codes: 0 success, 1 the server refused or failed, 2 wrong usage. */
@Command(name = "drover", mixinStandardHelpOptions = true, version = "drover 0.1.0",
        description = "Open, self-hostable cloud-agent platform speaking the Oz Agent API.",
        subcommands = {ServeCommand.class, WorkerCommand.class, KeysCommand.class, RunCommand.class, RunsCommand.class,
            AgentsCommand.class, IdentitiesCommand.class, EnvironmentsCommand.class, SecretsCommand.class,
            SchedulesCommand.class, WebhooksCommand.class, ModelsCommand.class, DoctorCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this in-process). */
    public static int run(String... args) {
        CommandLine cli = args.length > 0 && "serve".equals(args[0]) ? serveOnly() : new CommandLine(new Main());
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

    /**
     * The command line of {@code drover serve}, which every node runs at every start: picocli reads the annotations of
     * each command it is given, and building all fourteen took a fifth of the start's main thread (docs/benchmarks.md,
     * "Start-up and memory"), so here it knows only {@code drover} (as Main declares it) and {@code serve}. Parsing,
     * help, errors and exit codes of {@code drover serve ...} are the same.
     */
    static CommandLine serveOnly() {
        Command main = Main.class.getAnnotation(Command.class);
        CommandSpec root = CommandSpec.create().name(main.name()).version(main.version())
                .mixinStandardHelpOptions(main.mixinStandardHelpOptions());
        root.usageMessage().description(main.description());
        root.addSubcommand("serve", CommandSpec.forAnnotatedObject(new ServeCommand()));
        return new CommandLine(root);
    }
}
