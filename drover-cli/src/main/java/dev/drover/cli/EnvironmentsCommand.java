package dev.drover.cli;

import dev.drover.api.CloudEnvironment;
import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.CreateEnvironmentRequest;
import dev.drover.api.GitHubRepo;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code drover environments list|get|create|update|delete}. */
@Command(name = "environments", aliases = "envs", mixinStandardHelpOptions = true,
        description = "Manage environments: the repositories cloned into a run's workspace and the setup commands "
                + "run there before the agent (runs use one with `drover run --env UID`).",
        subcommands = {EnvironmentsCommand.ListEnvironments.class, EnvironmentsCommand.Get.class,
            EnvironmentsCommand.Create.class, EnvironmentsCommand.Update.class, EnvironmentsCommand.Delete.class})
final class EnvironmentsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the environments you can use.")
    static final class ListEnvironments implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--sort", defaultValue = "last_updated",
                description = "name or last_updated (newest first; default ${DEFAULT-VALUE}).")
        String sort;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!sort.equals("name") && !sort.equals("last_updated")) {
                throw new ParameterException(spec.commandLine(), "--sort: name or last_updated, not " + sort);
            }
            List<CloudEnvironment> all = client.client().listEnvironments(sort).environments();
            if (json) {
                System.out.println(Output.json(all));
                return 0;
            }
            System.out.printf("%-22s  %-24s  %-12s  %-27s  %s%n", "UID", "NAME", "SETUP", "UPDATED", "REPOS");
            for (CloudEnvironment e : all) {
                System.out.printf("%-22s  %-24s  %-12s  %-27s  %s%n", e.uid(), e.config().name(),
                        e.setupFailed() ? "FAILED" : "ok", e.lastUpdated(), repos(e.config()));
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one environment.")
    static final class Get implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            show(client.client().getEnvironment(uid), json);
            return 0;
        }
    }

    /** The configuration options shared by create and update. */
    static final class ConfigOptions {
        @Option(names = "--description", description = "What the environment is for.")
        String description;

        @Option(names = "--docker-image", description = "Recorded with the environment; runs execute on the worker's host for now.")
        String dockerImage;

        @Option(names = "--repo", paramLabel = "OWNER/REPO",
                description = "A repository cloned into <workspace>/<repo> (repeatable, in order); OWNER/REPO:events "
                        + "also marks this environment for the repository's GitHub/GitLab events.")
        List<String> repos;

        @Option(names = "--setup", paramLabel = "COMMAND",
                description = "A shell command run in the workspace before the agent (repeatable, run in order).")
        List<String> setupCommands;

        @Option(names = "--secret", paramLabel = "NAME",
                description = "A managed secret injected as the variable NAME into setup commands and the agent "
                        + "(repeatable; see `drover secrets`).")
        List<String> secrets;

        @Option(names = "--git-secret", paramLabel = "NAME",
                description = "A managed secret of the environment's scope that the worker clones, pushes and opens "
                        + "pull requests with instead of its DROVER_GIT_TOKEN (never given to setup commands or the agent).")
        String gitSecret;

        @Option(names = "--deliver-on-failure", arity = "1", paramLabel = "true|false",
                description = "Also deliver the changes of runs that end FAILED or BLOCKED, as draft pull requests.")
        Boolean deliverOnFailure;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an environment; prints its uid.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--name", required = true, description = "Its name.")
        String name;

        @Mixin
        ConfigOptions config;

        @ArgGroup(exclusive = true)
        Scope scope;

        static final class Scope {
            @Option(names = "--team", description = "Shared with your team (the default when you are in exactly one).")
            boolean team;

            @Option(names = "--personal", description = "Visible to you only.")
            boolean personal;
        }

        @Option(names = "--json", description = "Print the environment as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Boolean team = scope == null ? null : scope.team;
            CloudEnvironment e = client.client().createEnvironment(new CreateEnvironmentRequest(name, config.description,
                    config.dockerImage, parseRepos(spec, config.repos), orEmpty(config.setupCommands), team,
                    orEmpty(config.secrets), config.deliverOnFailure, null, config.gitSecret));
            System.out.println(json ? Output.json(e) : e.uid());
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change an environment: options given replace those fields (a list option replaces the whole "
                    + "list); the others keep their values.")
    static final class Update implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @Option(names = "--name", description = "A new name.")
        String name;

        @Mixin
        ConfigOptions config;

        @Option(names = "--clear-repos", description = "Remove every repository.")
        boolean clearRepos;

        @Option(names = "--clear-setup", description = "Remove every setup command.")
        boolean clearSetup;

        @Option(names = "--clear-secrets", description = "Inject no secrets any more.")
        boolean clearSecrets;

        @Option(names = "--clear-git-secret", description = "Use the worker's own git token again.")
        boolean clearGitSecret;

        @Option(names = "--json", description = "Print the environment as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (clearRepos && config.repos != null) {
                throw new ParameterException(spec.commandLine(), "--clear-repos and --repo: give one of them");
            }
            if (clearSetup && config.setupCommands != null) {
                throw new ParameterException(spec.commandLine(), "--clear-setup and --setup: give one of them");
            }
            List<GitHubRepo> repos = clearRepos ? List.of() : config.repos == null ? null : parseRepos(spec, config.repos);
            List<String> setup = clearSetup ? List.of() : config.setupCommands;
            if (clearSecrets && config.secrets != null) {
                throw new ParameterException(spec.commandLine(), "--clear-secrets and --secret: give one of them");
            }
            List<String> secrets = clearSecrets ? List.of() : config.secrets;
            if (clearGitSecret && config.gitSecret != null) {
                throw new ParameterException(spec.commandLine(), "--clear-git-secret and --git-secret: give one of them");
            }
            var api = client.client();
            // the API replaces the whole configuration: start from the current one
            CloudEnvironmentConfig now = api.getEnvironment(uid).config();
            CloudEnvironment e = api.updateEnvironment(uid, new CloudEnvironmentConfig(
                    name != null ? name : now.name(),
                    config.description != null ? config.description : now.description(),
                    config.dockerImage != null ? config.dockerImage : now.dockerImage(),
                    repos != null ? repos : now.githubRepos(),
                    setup != null ? setup : now.setupCommands(),
                    secrets != null ? secrets : now.secrets(),
                    config.deliverOnFailure != null ? config.deliverOnFailure : now.deliverOnFailure(), null,
                    clearGitSecret ? null : config.gitSecret != null ? config.gitSecret : now.gitSecret()));
            show(e, json);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an environment.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @Override
        public Integer call() {
            client.client().deleteEnvironment(uid);
            System.out.println("deleted " + uid);
            return 0;
        }
    }

    static List<GitHubRepo> parseRepos(CommandSpec spec, List<String> repos) {
        return orEmpty(repos).stream().map(r -> {
            // OWNER/REPO:events marks the environment for the repository's events (repository names hold no ':')
            boolean events = r.endsWith(":events");
            String name = events ? r.substring(0, r.length() - ":events".length()) : r;
            String[] parts = name.split("/", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new ParameterException(spec.commandLine(), "--repo: OWNER/REPO or OWNER/REPO:events, not " + r);
            }
            return new GitHubRepo(parts[0], parts[1], events ? Boolean.TRUE : null);
        }).toList();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String repos(CloudEnvironmentConfig c) {
        return orEmpty(c.githubRepos()).stream()
                .map(r -> r.owner() + "/" + r.repo() + (Boolean.TRUE.equals(r.events()) ? ":events" : ""))
                .collect(Collectors.joining(", "));
    }

    static void show(CloudEnvironment e, boolean json) {
        if (json) {
            System.out.println(Output.json(e));
            return;
        }
        CloudEnvironmentConfig c = e.config();
        System.out.println(e.uid() + "  " + c.name() + (e.setupFailed() ? "  (last setup FAILED)" : ""));
        if (c.description() != null) {
            System.out.println("  " + c.description());
        }
        System.out.println("  scope " + e.scope().type() + ", updated " + e.lastUpdated() + " by "
                + e.lastEditor().displayName());
        if (c.dockerImage() != null) {
            System.out.println("  docker image " + c.dockerImage() + " (recorded, not used yet)");
        }
        orEmpty(c.githubRepos()).forEach(r -> System.out.println("  repo  " + r.owner() + "/" + r.repo()));
        orEmpty(c.secrets()).forEach(n -> System.out.println("  secret " + n));
        if (c.gitSecret() != null) {
            System.out.println("  git secret " + c.gitSecret() + " (clones, pushes and pull requests)");
        }
        orEmpty(c.setupCommands()).forEach(s -> System.out.println("  setup " + s));
        if (e.lastTaskCreated() != null) {
            System.out.println("  last run " + e.lastTaskCreated().id() + " " + e.lastTaskCreated().state());
        }
    }
}
