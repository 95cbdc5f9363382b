package dev.drover.cli;

import dev.drover.api.CreateSecretRequest;
import dev.drover.api.ManagedSecret;
import dev.drover.api.UpdateSecretRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code drover secrets list|create|update|delete}. A value is never a command-line argument: it would land in the
 * shell's history and in every {@code ps} listing. It comes from standard input or a file.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = "Manage secrets: named values injected into runs as environment variables (an environment's "
                + "`--secret NAME`, or a CLI harness's auth secret). Values are write-only and redacted from transcripts.",
        subcommands = {SecretsCommand.ListSecrets.class, SecretsCommand.Create.class, SecretsCommand.Update.class,
            SecretsCommand.Delete.class})
final class SecretsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the secrets you can use (never their values).")
    static final class ListSecrets implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            List<ManagedSecret> all = client.client().listSecrets().secrets();
            if (json) {
                System.out.println(Output.json(all));
                return 0;
            }
            System.out.printf("%-22s  %-28s  %-5s  %-27s  %s%n", "UID", "NAME", "SCOPE", "UPDATED", "DESCRIPTION");
            for (ManagedSecret s : all) {
                System.out.printf("%-22s  %-28s  %-5s  %-27s  %s%n", s.uid(), s.name(), s.scope().type(), s.updatedAt(),
                        s.description() == null ? "" : s.description());
            }
            return 0;
        }
    }

    /** Where the value comes from: standard input (the default) or a file. */
    static final class ValueSource {
        @Option(names = "--value-from-stdin", description = "Read the value from standard input (the default).")
        boolean stdin;

        @Option(names = "--value-file", paramLabel = "FILE", description = "Read the value from FILE.")
        Path file;
    }

    /**
     * The value, as UTF-8 text. One trailing newline is dropped (what `echo` and most editors add); anything else is
     * kept as it is.
     */
    static String readValue(CommandSpec spec, ValueSource source, InputStream stdin) {
        byte[] bytes;
        try {
            bytes = source != null && source.file != null ? Files.readAllBytes(source.file) : stdin.readAllBytes();
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read the value: " + e.getMessage());
        }
        String value;
        try {
            value = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ParameterException(spec.commandLine(), "the value is not UTF-8 text; encode binary values "
                    + "(e.g. base64) and decode them where they are used");
        }
        if (value.endsWith("\r\n")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the value is empty (pipe it in, or give --value-file)");
        }
        return value;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a secret; the value is read from standard input or --value-file. Prints its uid.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "The variable it is injected as: letters, digits, _.")
        String name;

        @ArgGroup(exclusive = true)
        ValueSource value;

        @Option(names = "--description", description = "What it is for.")
        String description;

        @Option(names = "--team", paramLabel = "TEAM_ID",
                description = "The team that owns it (needed when you are in several teams).")
        String team;

        @Option(names = "--personal", description = "Visible to you only.")
        boolean personal;

        @Option(names = "--json", description = "Print the secret (without its value) as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (personal && team != null) {
                throw new ParameterException(spec.commandLine(), "--personal and --team: give one of them");
            }
            String v = readValue(spec, value, System.in);
            ManagedSecret s = client.client().createSecret(new CreateSecretRequest(name, v, description,
                    personal ? Boolean.FALSE : team != null ? Boolean.TRUE : null, team));
            System.out.println(json ? Output.json(s) : s.uid());
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Replace a secret's value (read from standard input or --value-file) and description.")
    static final class Update implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID")
        String uid;

        @ArgGroup(exclusive = true)
        ValueSource value;

        @Option(names = "--description", description = "What it is for (left out: none).")
        String description;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ManagedSecret s = client.client().updateSecret(uid, new UpdateSecretRequest(
                    readValue(spec, value, System.in), description));
            System.out.println("updated " + s.name() + " (" + s.uid() + ")");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a secret by uid, or by name when that names one secret you can see.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "UID|NAME")
        String which;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var api = client.client();
            List<ManagedSecret> named = api.listSecrets().secrets().stream()
                    .filter(s -> s.uid().equals(which) || s.name().equals(which)).toList();
            if (named.size() > 1) {
                throw new ParameterException(spec.commandLine(), which + " names " + named.size() + " secrets (one per "
                        + "scope); give the uid of the one to delete (`drover secrets list`)");
            }
            String uid = named.isEmpty() ? which : named.getFirst().uid();
            api.deleteSecret(uid);
            System.out.println("deleted " + (named.isEmpty() ? uid : named.getFirst().name() + " (" + uid + ")"));
            return 0;
        }
    }
}
