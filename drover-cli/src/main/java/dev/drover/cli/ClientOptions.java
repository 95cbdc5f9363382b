package dev.drover.cli;

import dev.drover.client.DroverClient;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The server an HTTP command talks to, and the key it uses. */
final class ClientOptions {
    @Option(names = "--server", description = "API base URL (env DROVER_URL or OZ_API_BASE_URL; default http://127.0.0.1:8080/api/v1).")
    String server;

    @Option(names = "--api-key", description = "API key (env DROVER_API_KEY or WARP_API_KEY).")
    String apiKey;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    DroverClient client() {
        Map<String, String> env = System.getenv();
        String url = server != null ? server : DroverClient.firstOf(env, "DROVER_URL", "OZ_API_BASE_URL");
        String key = apiKey != null ? apiKey : DroverClient.firstOf(env, "DROVER_API_KEY", "WARP_API_KEY");
        if (key == null) {
            // how the command was called, not what the server said: a usage error (exit 2)
            throw new ParameterException(command.commandLine(), "no API key: set DROVER_API_KEY or pass --api-key "
                    + "(the first start of `drover serve` writes one to <data-dir>/admin-api-key)");
        }
        return new DroverClient(url != null ? url : "http://127.0.0.1:8080/api/v1", key,
                Map.of("X-Drover-Source", "CLI"));
    }
}
