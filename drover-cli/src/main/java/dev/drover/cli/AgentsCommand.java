package dev.drover.cli;

import dev.drover.api.AgentListItem;
import dev.drover.api.AgentListVariant;
import dev.drover.api.ListAgentsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drover agents}: the skills you can run, from your environments' repositories (or one repository). */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = "List the skills you can run (SKILL.md files of your environments' repositories).")
final class AgentsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--repo", description = "Only this repository, as owner/repo.")
    String repo;

    @Option(names = "--refresh", description = "Fetch the repositories now instead of using the server's cache.")
    boolean refresh;

    @Option(names = "--sort", defaultValue = "name", description = "name or last_run (default: ${DEFAULT-VALUE}).")
    String sort;

    @Option(names = "--include-malformed", description = "Also list SKILL.md files that do not parse, with why.")
    boolean includeMalformed;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        ListAgentsResponse list = client.client().agents(repo, refresh, sort, includeMalformed);
        if (json) {
            System.out.println(Output.json(list));
            return 0;
        }
        for (AgentListItem agent : list.agents()) {
            System.out.println(agent.name());
            for (AgentListVariant v : agent.variants()) {
                System.out.println("  " + v.id() + (v.error() != null ? "  (malformed: " + v.error() + ")"
                        : v.description().isEmpty() ? "" : "  " + v.description()));
            }
        }
        return 0;
    }
}
