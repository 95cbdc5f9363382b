package dev.drover.cli;

import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code drover keys}: operator commands on the database itself (like {@code serve}, they take
 * {@code --data-dir}/{@code --database-url}), so the first keys can be made before any exist.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list and revoke API keys.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class,
                KeysCommand.Login.class})
final class KeysCommand {

    static Database open(StoreOptions store) {
        ServeCommand.configureLogging("warn");
        return Database.open(new Database.Settings(store.databaseUrl, store.user(), store.password(), store.dataDir, 2));
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key for a user or a service account (created if new) and print it once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Option(names = "--name", required = true, description = "What the key is for, shown in listings.")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Owner owner;

        static final class Owner {
            @Option(names = "--user", description = "The user's email.")
            String user;

            @Option(names = "--service-account", description = "The service account's name.")
            String serviceAccount;
        }

        @Option(names = "--team", description = "Team the principal joins (created if new); team runs are shared within it.")
        String team;

        @Option(names = "--worker", description = "A worker key: registers workers and executes runs of every team "
                + "(use with --service-account).")
        boolean worker;

        @Override
        public Integer call() {
            if (worker && owner.user != null) {
                System.err.println("error: --worker keys belong to service accounts: use --service-account");
                return 2;
            }
            try (Database db = open(store)) {
                Accounts accounts = new Accounts(db, Clock.systemUTC());
                String teamId = team == null ? null : accounts.ensureTeam(team);
                Principal p = owner.user != null
                        ? accounts.ensurePrincipal(Principal.Kind.USER, owner.user, teamId, false)
                        : accounts.ensurePrincipal(Principal.Kind.SERVICE_ACCOUNT, owner.serviceAccount, teamId, false);
                Accounts.CreatedKey key = accounts.createKey(p, name, null,
                        worker ? Accounts.WORKER_KEY : Accounts.STANDARD_KEY);
                System.err.println("Created key " + key.id() + " for " + p.kind().wire() + " "
                        + (p.email() != null ? p.email() : p.displayName()) + ". It is shown only now:");
                System.out.println(key.secret());
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Database db = open(store)) {
                String row = "%-36s  %-12s  %-20s  %-24s  %-28s  %-20s  %-20s  %s%n";
                System.out.printf(row, "ID", "PREFIX", "NAME", "KIND", "PRINCIPAL", "CREATED", "LAST USED", "REVOKED");
                for (Accounts.KeyInfo k : new Accounts(db, Clock.systemUTC()).listKeys()) {
                    System.out.printf(row, k.id(), k.prefix(), k.name(),
                            k.principalKind() + (Accounts.WORKER_KEY.equals(k.keyKind()) ? "/worker" : ""),
                            k.principalName(), time(k.createdAtMicros()), time(k.lastUsedAtMicros()),
                            time(k.revokedAtMicros()));
                }
                return 0;
            }
        }
    }

    /** To the second: listings are for people; "-" when it never happened. */
    private static String time(Long micros) {
        return micros == null ? "-" : Times.instant(micros).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key by id or prefix; servers stop accepting it within 5 seconds.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Parameters(paramLabel = "ID_OR_PREFIX")
        String key;

        @Override
        public Integer call() {
            try (Database db = open(store)) {
                if (!new Accounts(db, Clock.systemUTC()).revokeKey(key)) {
                    System.err.println("error: no live key with id or prefix " + key);
                    return 1;
                }
                System.out.println("revoked " + key);
                return 0;
            }
        }
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Print a one-time dashboard sign-in link (single use, valid 10 minutes) for a key, or for a "
                    + "user's oldest live key.")
    static final class Login implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Whose whose;

        static final class Whose {
            @Option(names = "--key", description = "The key's id or displayed prefix (drover keys list).")
            String key;

            @Option(names = "--user", description = "The user's email: their oldest live key.")
            String user;
        }

        @Option(names = "--public-url", defaultValue = "${env:DROVER_PUBLIC_URL:-http://127.0.0.1:8080}",
                description = "The server's address as browsers reach it (env DROVER_PUBLIC_URL; default ${DEFAULT-VALUE}).")
        String publicUrl;

        @Override
        public Integer call() {
            try (Database db = open(store)) {
                Accounts accounts = new Accounts(db, Clock.systemUTC());
                java.util.Optional<String> keyId = whose.key != null ? accounts.liveKeyId(whose.key)
                        : accounts.principalNamed(Principal.Kind.USER, whose.user)
                                .flatMap(p -> accounts.firstLiveStandardKey(p.id()));
                if (keyId.isEmpty()) {
                    System.err.println("error: no live key " + (whose.key != null ? "with id or prefix " + whose.key
                            : "of user " + whose.user) + " (create one with drover keys create)");
                    return 1;
                }
                if (accounts.listKeys().stream().anyMatch(k -> k.id().equals(keyId.get())
                        && Accounts.WORKER_KEY.equals(k.keyKind()))) {
                    System.err.println("error: worker keys cannot sign in to the dashboard");
                    return 1;
                }
                String token = new dev.drover.server.web.WebSessions(db, accounts, Clock.systemUTC()).createLink(keyId.get());
                String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
                System.err.println("One-time sign-in link (single use, valid 10 minutes):");
                System.out.println(base + "/sign-in#" + token);
                return 0;
            }
        }
    }
}
