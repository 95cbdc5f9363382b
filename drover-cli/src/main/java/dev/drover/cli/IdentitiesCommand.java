package dev.drover.cli;

import dev.drover.api.AgentIdentity;
import dev.drover.api.CreateAgentIdentityRequest;
import dev.drover.api.Harness;
import dev.drover.api.SecretRef;
import dev.drover.api.UpdateAgentIdentityRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code drover identities list|get|create|update|delete}: a team's agent identities (named agents whose runs act as
 * them). Apart from {@code drover agents}, which lists the skills one can run.
 */
@Command(name = "identities", mixinStandardHelpOptions = true,
        description = "Manage your team's agent identities: named agents with their own prompt, skills, environment, "
                + "secrets and model, that runs act as (`drover run --identity UID`).",
        subcommands = {IdentitiesCommand.ListIdentities.class, IdentitiesCommand.Get.class, IdentitiesCommand.Create.class,
            IdentitiesCommand.Update.class, IdentitiesCommand.Delete.class})
final class IdentitiesCommand {

    /** The definition options shared by create and update; on update, a left-out option keeps the field. */
    static final class Definition {
        @Option(names = "--description", description = "What the agent is for.")
        String description;

        @Option(names = "--prompt", description = "The base prompt of its runs.")
        String prompt;

        @Option(names = "--skill", paramLabel = "SPEC", description = "A skill spec (repeatable), e.g. owner/repo:name.")
        List<String> skills;

        @Option(names = "--secret", paramLabel = "NAME", description = "A team secret its runs get (repeatable).")
        List<String> secrets;

        @Option(names = "--env", description = "Environment id of its runs.")
        String environment;

        @Option(names = "--model", description = "Base model id of its runs.")
        String model;

        @Option(names = "--harness", description = "Harness: oz (default), claude, codex, gemini or command.")
        String harness;

        @Option(names = "--command", description = "For --harness command: the command line to run.")
        String command;

        @Option(names = "--worker-host", description = "The worker pool of its runs.")
        String workerHost;

        Harness harness() {
            return harness == null && command == null ? null : new Harness(harness != null ? harness : "command", command);
        }

        List<SecretRef> secretRefs() {
            return secrets == null ? null : secrets.stream().map(SecretRef::new).toList();
        }
    }

    static void print(AgentIdentity a) {
        System.out.println(a.uid() + "  " + a.name() + (a.description() == null ? "" : "  " + a.description()));
        if (a.prompt() != null) {
            System.out.println("  prompt " + a.prompt().lines().findFirst().orElse(""));
        }
        a.skills().forEach(s -> System.out.println("  skill " + s));
        a.secrets().forEach(s -> System.out.println("  secret " + s.name()));
        if (a.environmentId() != null) {
            System.out.println("  environment " + a.environmentId());
        }
        if (a.baseModel() != null) {
            System.out.println("  model " + a.baseModel());
        }
        if (a.harness() != null) {
            System.out.println("  harness " + a.harness().type());
        }
        if (a.workerHost() != null) {
            System.out.println("  worker host " + a.workerHost());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your team's agent identities.")
    static final class ListIdentities implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--team", paramLabel = "TEAM_ID", description = "Which team (needed when you are in several).")
        String team;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            List<AgentIdentity> all = client.client().listIdentities(team).agents();
            if (json) {
                System.out.println(Output.json(all));
                return 0;
            }
            System.out.printf("%-22s  %-28s  %s%n", "UID", "NAME", "DESCRIPTION");
            for (AgentIdentity a : all) {
                System.out.printf("%-22s  %-28s  %s%n", a.uid(), a.name(), a.description() == null ? "" : a.description());
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show an agent identity.")
    static final class Get implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            AgentIdentity a = client.client().getIdentity(uid);
            if (json) {
                System.out.println(Output.json(a));
            } else {
                print(a);
            }
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an agent identity; prints its uid.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME")
        String name;

        @Mixin
        Definition d;

        @Option(names = "--team", paramLabel = "TEAM_ID", description = "The owning team (needed when you are in several).")
        String team;

        @Option(names = "--json", description = "Print the identity as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AgentIdentity a = client.client().createIdentity(new CreateAgentIdentityRequest(name, d.description, d.prompt,
                    d.skills, d.secretRefs(), d.harness(), null, d.model, d.environment, null, d.workerHost, team));
            System.out.println(json ? Output.json(a) : a.uid());
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change an agent identity: each option given replaces that field (\"\" clears it); the rest stays.")
    static final class Update implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @Option(names = "--name", description = "A new name.")
        String name;

        @Mixin
        Definition d;

        @Option(names = "--clear-skills", description = "Remove every skill.")
        boolean clearSkills;

        @Option(names = "--clear-secrets", description = "Remove every secret.")
        boolean clearSecrets;

        @Override
        public Integer call() {
            AgentIdentity a = client.client().updateIdentity(uid, new UpdateAgentIdentityRequest(name, d.description,
                    d.prompt, clearSkills ? List.of() : d.skills, clearSecrets ? List.of() : d.secretRefs(), d.harness(),
                    null, d.model, d.environment, null, d.workerHost));
            System.out.println("updated " + a.name() + " (" + a.uid() + ")");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete an agent identity (refused while a schedule's runs act as it).")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @Override
        public Integer call() {
            client.client().deleteIdentity(uid);
            System.out.println("deleted " + uid);
            return 0;
        }
    }
}
