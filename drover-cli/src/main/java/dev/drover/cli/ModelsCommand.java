package dev.drover.cli;

import dev.drover.api.ListModelsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code drover models}. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the models runs may use.")
final class ModelsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        ListModelsResponse r = client.client().models();
        r.models().forEach(m -> System.out.printf("%s %-20s %-10s %s%n", m.id().equals(r.defaultModelId()) ? "*" : " ",
                m.id(), m.provider(), m.disableReason() == null ? "enabled"
                        : "disabled (" + m.disableReason() + ")" + (m.description() == null ? "" : ": " + m.description())));
        return 0;
    }
}
