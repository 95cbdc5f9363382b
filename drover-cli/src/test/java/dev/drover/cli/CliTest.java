package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.Json;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: help, and the operator key commands against a real database and server. */
class CliTest {

    /** Runs the CLI and returns its exit code with what it printed to stdout and stderr. */
    record Result(int code, String out, String err) {}

    static synchronized Result cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void serveHelpDocumentsEveryFlagWithItsEnvironmentVariable() {
        Result r = cli("serve", "--help");
        assertThat(r.code()).isZero();
        for (String s : new String[] {"--host", "DROVER_HOST", "--port", "DROVER_PORT", "--data-dir", "DROVER_DATA_DIR",
            "--database-url", "DROVER_DATABASE_URL", "DROVER_DATABASE_USER", "--public-url", "DROVER_PUBLIC_URL",
            "--log-level", "DROVER_LOG_LEVEL", "--workers", "DROVER_WORKERS", "--models-file", "DROVER_MODELS_FILE",
            "--team-concurrency", "DROVER_TEAM_CONCURRENCY", "--git-base-url", "DROVER_GIT_BASE_URL",
            "--forge", "DROVER_FORGE", "--forge-api-url", "DROVER_FORGE_API_URL"}) {
            assertThat(r.out()).contains(s);
        }
    }

    @Test
    void serveStartsFromACommandLineThatKnowsOnlyServeAndReadsItExactlyAsTheFullOne() {
        picocli.CommandLine full = new picocli.CommandLine(new Main());
        picocli.CommandLine serveOnly = Main.serveOnly();
        assertThat(serveOnly.getSubcommands()).containsOnlyKeys("serve");
        assertThat(serveOnly.getSubcommands().get("serve").getUsageMessage())
                .isEqualTo(full.getSubcommands().get("serve").getUsageMessage());
        assertThat(serveOnly.getCommandName()).isEqualTo(full.getCommandName());
        assertThat(serveOnly.getCommandSpec().version()).isEqualTo(full.getCommandSpec().version());
    }

    @Test
    void aWorkerKeyMadeOnTheCommandLineCanRegisterAWorker() {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String data = server.server().config().dataDir().toString();
            assertThat(cli("keys", "create", "--data-dir", data, "--name", "w", "--user", "a@b.c", "--worker").code())
                    .isEqualTo(2);
            Result created = cli("keys", "create", "--data-dir", data, "--name", "w", "--service-account", "workers",
                    "--worker");
            Api worker = new Api(server.apiBaseUrl(), created.out().strip());
            assertThat(worker.post("/workers", "{\"name\":\"w1\"}").status()).isEqualTo(200);
            assertThat(cli("keys", "list", "--data-dir", data).out()).contains("service_account/worker");
        }
    }

    @Test
    void keysLoginPrintsASingleUseDashboardLinkForAUsersKey() {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String data = server.server().config().dataDir().toString();
            String base = server.server().publicUrl();
            assertThat(cli("keys", "login", "--data-dir", data, "--user", "nobody@example.com").code()).isEqualTo(1);
            cli("keys", "create", "--data-dir", data, "--name", "laptop", "--user", "dana@example.com");
            Result login = cli("keys", "login", "--data-dir", data, "--user", "dana@example.com", "--public-url", base);
            assertThat(login.code()).as(login.err()).isZero();
            String link = login.out().strip();
            assertThat(link).startsWith(base + "/sign-in#");
            String token = link.substring(link.indexOf('#') + 1);
            Map<String, String> sameOrigin = Map.of("Origin", base);
            Api web = new Api(base, null);
            Api.Reply first = web.post("/web/sign-in", "{\"token\":\"" + token + "\"}", sameOrigin);
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(first.json().get("email").asText()).isEqualTo("dana@example.com");
            assertThat(first.header("set-cookie")).contains("HttpOnly");
            assertThat(web.post("/web/sign-in", "{\"token\":\"" + token + "\"}", sameOrigin).status()).isEqualTo(401);
            // worker keys are for machines
            cli("keys", "create", "--data-dir", data, "--name", "w", "--service-account", "pool", "--worker");
            String workerKeyId = server.server().accounts().listKeys().stream()
                    .filter(k -> k.keyKind().equals("worker")).findFirst().orElseThrow().id();
            assertThat(cli("keys", "login", "--data-dir", data, "--key", workerKeyId).code()).isEqualTo(1);
        }
    }

    @Test
    void httpCommandsExitWithOneAndTheProblemDetailWhenTheServerRefuses() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            Result created = cli(concat(new String[] {"run", "from the CLI", "--title", "in-process", "--json"}, as));
            assertThat(created.code()).as(created.err()).isZero();
            String runId = Json.mapper().readTree(created.out()).get("run_id").asText();
            Api.Reply run = server.admin().get("/agent/runs/" + runId);
            assertThat(run.json().get("source").asText()).isEqualTo("CLI");
            assertThat(run.json().get("title").asText()).isEqualTo("in-process");

            // no provider is configured in this server's environment: every model is listed, disabled, with why
            Result models = cli(concat(new String[] {"models"}, as));
            assertThat(models.code()).isZero();
            assertThat(models.out()).contains("disabled (ADMIN_DISABLED): provider").doesNotContain("enabled");

            Result missing = cli(concat(new String[] {"runs", "get", UUID.randomUUID().toString()}, as));
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("404").contains("runId:");
            Result wrongKey = cli("models", "--server", server.apiBaseUrl(), "--api-key", "drv_not_a_key");
            assertThat(wrongKey.code()).isEqualTo(1);
            assertThat(wrongKey.err()).contains("401");
            assertThat(cli(concat(new String[] {"runs", "list", "--limit", "0"}, as)).code()).isEqualTo(2);
        }
    }

    @Test
    void aRunIsFollowedUpFromTheCommandLine() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            String run = server.admin().createRun(java.util.Map.of("prompt", "p",
                    "config", java.util.Map.of("worker_host", "nobody")));
            Result queued = cli(concat(new String[] {"runs", "followup", run, "and also this", "--mode", "plan"}, as));
            assertThat(queued.code()).as(queued.err()).isZero();
            assertThat(queued.out()).contains("queued for run " + run);
            server.admin().post("/agent/runs/" + run + "/cancel", (String) null);
            Result continued = cli(concat(new String[] {"runs", "followup", run, "try again", "--json"}, as));
            assertThat(continued.code()).as(continued.err()).isZero();
            assertThat(Json.mapper().readTree(continued.out()).get("outcome").asText()).isEqualTo("handoff_execution");
            assertThat(server.admin().get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("QUEUED");
            Result bad = cli(concat(new String[] {"runs", "followup", run, "x", "--mode", "fast"}, as));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("mode:");
        }
    }

    @Test
    void schedulesAreCreatedListedPausedResumedAndDeletedFromTheCommandLine() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            Result created = cli(concat(new String[] {"schedules", "create", "--name", "Nightly deps", "--cron",
                "30 2 * * *", "--prompt", "Upgrade the dependencies", "--json"}, as));
            assertThat(created.code()).as(created.err()).isZero();
            String id = Json.mapper().readTree(created.out()).get("id").asText();
            assertThat(server.admin().get("/agent/schedules/" + id).json().get("cron_schedule").asText())
                    .isEqualTo("30 2 * * *");
            assertThat(cli(concat(new String[] {"schedules", "list"}, as)).out()).contains(id).contains("Nightly deps")
                    .contains("enabled");
            assertThat(cli(concat(new String[] {"schedules", "pause", id}, as)).out()).contains("paused");
            assertThat(server.admin().get("/agent/schedules/" + id).json().get("enabled").asBoolean()).isFalse();
            assertThat(cli(concat(new String[] {"schedules", "resume", id}, as)).out()).contains("enabled")
                    .contains("next run");
            Result bad = cli(concat(new String[] {"schedules", "create", "--name", "x", "--cron", "99 * * * *",
                "--prompt", "p"}, as));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("cron_schedule:");
            assertThat(cli(concat(new String[] {"schedules", "delete", id}, as)).code()).isZero();
            assertThat(server.admin().get("/agent/schedules/" + id).status()).isEqualTo(404);
        }
    }

    @Test
    void webhooksAreCreatedListedInspectedRedeliveredEnabledAndDeletedFromTheCommandLine() throws Exception {
        java.util.Map<String, String> env = java.util.Map.of("DROVER_WEBHOOK_ALLOW_PRIVATE", "true",
                "DROVER_WEBHOOK_INTERVAL_MS", "100", "DROVER_WEBHOOK_RETRY_BASE_MS", "100",
                "DROVER_WEBHOOK_RETRY_MAX_MS", "200");
        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            closedPort = probe.getLocalPort(); // nothing listens there once the probe is closed
        }
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withEnv(env))) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            String url = "http://127.0.0.1:" + closedPort + "/hook";
            Result created = cli(concat(new String[] {"webhooks", "create", "--url", url, "--event",
                "run_queued,run_cancelled", "--description", "ops channel", "--json"}, as));
            assertThat(created.code()).as(created.err()).isZero();
            com.fasterxml.jackson.databind.JsonNode hook = Json.mapper().readTree(created.out());
            String id = hook.get("id").asText();
            assertThat(hook.get("secret").asText()).startsWith("whsec_");
            assertThat(hook.get("event_types").toString()).contains("run_queued", "run_cancelled");
            assertThat(cli(concat(new String[] {"webhooks", "list"}, as)).out()).contains(id).contains(url)
                    .contains("enabled");
            assertThat(cli(concat(new String[] {"webhooks", "get", id}, as)).out()).contains("ops channel")
                    .doesNotContain("whsec_");

            server.admin().createRun("hooked");
            String delivery = null;
            for (int i = 0; i < 200 && delivery == null; i++) {
                // polled through the API: this process's stdout also carries the server's log lines
                com.fasterxml.jackson.databind.JsonNode page = server.admin().get("/webhooks/" + id + "/deliveries").json();
                if (!page.get("deliveries").isEmpty() && page.at("/deliveries/0/attempts").asInt() >= 2) {
                    delivery = page.at("/deliveries/0/id").asText();
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(delivery).as("a delivery attempted twice").isNotNull();
            assertThat(cli(concat(new String[] {"webhooks", "deliveries", id}, as)).out()).contains(delivery)
                    .contains("run_queued").contains("pending");
            Result detail = cli(concat(new String[] {"webhooks", "delivery", id, delivery}, as));
            assertThat(detail.out().lines().filter(l -> l.contains(" ms ")).count()).isGreaterThanOrEqualTo(2);
            assertThat(detail.out()).containsIgnoringCase("refused");
            assertThat(cli(concat(new String[] {"webhooks", "redeliver", id, delivery}, as)).out()).contains("pending");
            assertThat(cli(concat(new String[] {"webhooks", "enable", id}, as)).out()).contains("enabled");

            Result bad = cli(concat(new String[] {"webhooks", "create", "--url", "ftp://example.com/x", "--event",
                "run_queued"}, as));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("url:");
            assertThat(cli(concat(new String[] {"webhooks", "delete", id}, as)).code()).isZero();
            assertThat(server.admin().get("/webhooks/" + id).status()).isEqualTo(404);
        }
    }

    @Test
    void agentsListsTheSkillsOfTheEnvironmentsRepositoriesAndARunNamesOne(@TempDir Path dir) throws Exception {
        BareRepos repos = new BareRepos(dir.resolve("repos"));
        repos.create("acme", "ops", java.util.Map.of(".agents/skills/triage/SKILL.md",
                "---\ndescription: Labels new issues\n---\nLabel $ARGUMENTS.\n", ".claude/skills/bad/SKILL.md",
                "---\n: [\n---\n"));
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig()
                .withGitBaseUrl(repos.root().toString()))) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            assertThat(cli(concat(new String[] {"environments", "create", "--name", "ops", "--repo", "acme/ops"}, as))
                    .code()).isZero();
            Result agents = cli(concat(new String[] {"agents"}, as));
            assertThat(agents.code()).as(agents.err()).isZero();
            assertThat(agents.out()).contains("triage").contains("acme/ops:.agents/skills/triage/SKILL.md  Labels new issues")
                    .doesNotContain("bad");
            assertThat(cli(concat(new String[] {"agents", "--repo", "acme/ops", "--include-malformed"}, as)).out())
                    .contains("malformed");
            Result run = cli(concat(new String[] {"run", "issue 12", "--skill", "ops:triage", "--json"}, as));
            assertThat(run.code()).as(run.err()).isZero();
            String runId = Json.mapper().readTree(run.out()).get("run_id").asText();
            assertThat(server.admin().get("/agent/runs/" + runId).json().get("agent_skill").get("name").asText())
                    .isEqualTo("triage");
            Result bad = cli(concat(new String[] {"agents", "--repo", "nonsense"}, as));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("repo:");
        }
    }

    @Test
    void environmentsAreCreatedListedUpdatedAndDeletedFromTheCommandLine() throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            Result created = cli(concat(new String[] {"environments", "create", "--name", "web", "--repo", "acme/web",
                "--repo", "acme/lib:events", "--setup", "make deps", "--setup", "make check", "--personal",
                "--deliver-on-failure", "true"}, as));
            assertThat(created.code()).as(created.err()).isZero();
            String uid = created.out().strip();
            assertThat(uid).matches("[A-Za-z0-9]{22}");
            var stored = server.admin().get("/agent/environments/" + uid).json();
            assertThat(stored.get("scope").get("type").asText()).isEqualTo("User");
            assertThat(stored.get("config").get("github_repos").get(1).get("repo").asText()).isEqualTo("lib");
            assertThat(stored.get("config").get("github_repos").get(1).get("events").asBoolean()).isTrue();
            assertThat(stored.get("config").get("github_repos").get(0).has("events")).isFalse();
            assertThat(stored.get("config").get("setup_commands").get(1).asText()).isEqualTo("make check");
            assertThat(stored.get("config").get("deliver_on_failure").asBoolean()).isTrue();

            Result list = cli(concat(new String[] {"environments", "list", "--sort", "name"}, as));
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains(uid).contains("web").contains("acme/web, acme/lib:events");

            Result updated = cli(concat(new String[] {"environments", "update", uid, "--setup", "make all",
                "--docker-image", "ubuntu:24.04", "--json"}, as));
            assertThat(updated.code()).as(updated.err()).isZero();
            var after = Json.mapper().readTree(updated.out()).get("config");
            assertThat(after.get("name").asText()).as("kept").isEqualTo("web");
            assertThat(after.get("github_repos")).as("kept").hasSize(2);
            assertThat(after.get("setup_commands")).hasSize(1);
            assertThat(after.get("docker_image").asText()).isEqualTo("ubuntu:24.04");
            assertThat(after.get("deliver_on_failure").asBoolean()).as("kept").isTrue();
            assertThat(cli(concat(new String[] {"environments", "update", uid, "--deliver-on-failure", "false"}, as))
                    .code()).isZero();
            assertThat(server.admin().get("/agent/environments/" + uid).json().get("config").get("deliver_on_failure")
                    .asBoolean()).isFalse();
            assertThat(cli(concat(new String[] {"environments", "update", uid, "--git-secret", "DEPLOY_TOKEN"}, as))
                    .code()).isZero();
            assertThat(server.admin().get("/agent/environments/" + uid).json().get("config").get("git_secret").asText())
                    .isEqualTo("DEPLOY_TOKEN");
            assertThat(cli(concat(new String[] {"environments", "get", uid}, as)).out())
                    .contains("git secret DEPLOY_TOKEN");
            assertThat(cli(concat(new String[] {"environments", "update", uid, "--setup", "make all"}, as)).code())
                    .isZero();
            assertThat(server.admin().get("/agent/environments/" + uid).json().get("config").get("git_secret").asText())
                    .as("kept").isEqualTo("DEPLOY_TOKEN");
            Result badSecret = cli(concat(new String[] {"environments", "update", uid, "--git-secret", "9-bad"}, as));
            assertThat(badSecret.code()).isEqualTo(1);
            assertThat(badSecret.err()).contains("400").contains("git_secret");
            assertThat(cli(concat(new String[] {"environments", "update", uid, "--clear-git-secret"}, as)).code()).isZero();
            assertThat(server.admin().get("/agent/environments/" + uid).json().get("config").has("git_secret")).isFalse();
            assertThat(cli(concat(new String[] {"environments", "update", uid, "--clear-repos"}, as)).code()).isZero();
            assertThat(server.admin().get("/agent/environments/" + uid).json().get("config").get("github_repos")).isEmpty();

            Result shown = cli(concat(new String[] {"environments", "get", uid}, as));
            assertThat(shown.out()).contains("setup make all").contains("scope User");
            assertThat(cli(concat(new String[] {"run", "in it", "--env", uid, "--json"}, as)).code()).isZero();
            assertThat(cli(concat(new String[] {"environments", "get", uid}, as)).out()).contains("last run ");

            assertThat(cli(concat(new String[] {"environments", "create", "--name", "x", "--repo", "no-slash"}, as)).code())
                    .as("a malformed --repo is a usage error").isEqualTo(2);
            Result refused = cli(concat(new String[] {"environments", "create", "--name", "x", "--repo", "acme/.."}, as));
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("400").contains("github_repos[0].repo");

            assertThat(cli(concat(new String[] {"environments", "delete", uid}, as)).out()).contains("deleted " + uid);
            Result gone = cli(concat(new String[] {"environments", "get", uid}, as));
            assertThat(gone.code()).isEqualTo(1);
            assertThat(gone.err()).contains("404");
        }
    }

    /** {@link #cli} with {@code stdin} as standard input. */
    static synchronized Result cliWithInput(String stdin, String... args) {
        java.io.InputStream old = System.in;
        System.setIn(new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return cli(args);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void secretsAreCreatedFromStandardInputOrAFileListedWithoutValuesAndDeleted(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            String piped = "piped-" + UUID.randomUUID();
            Result created = cliWithInput(piped + "\n", concat(new String[] {"secrets", "create", "NPM_TOKEN",
                "--description", "registry token"}, as));
            assertThat(created.code()).as(created.err()).isZero();
            String uid = created.out().strip();
            assertThat(uid).matches("[A-Za-z0-9]{22}");
            Path file = Files.writeString(dir.resolve("value"), "from-a-file-" + UUID.randomUUID());
            Result fromFile = cli(concat(new String[] {"secrets", "create", "FILE_TOKEN", "--value-file",
                file.toString(), "--personal"}, as));
            assertThat(fromFile.code()).as(fromFile.err()).isZero();

            Result list = cli(concat(new String[] {"secrets", "list"}, as));
            assertThat(list.out()).contains("NPM_TOKEN").contains("registry token").contains("FILE_TOKEN")
                    .doesNotContain(piped).doesNotContain(Files.readString(file));
            // environments name secrets, and show them by name
            String env = server.admin().createEnvironment(java.util.Map.of("name", "e", "secrets",
                    java.util.List.of("NPM_TOKEN")));
            assertThat(cli(concat(new String[] {"environments", "get", env}, as)).out()).contains("secret NPM_TOKEN");

            assertThat(cliWithInput("", concat(new String[] {"secrets", "create", "EMPTY"}, as)).code())
                    .as("an empty value is a usage error").isEqualTo(2);
            Result bad = cliWithInput("v", concat(new String[] {"secrets", "create", "NOT-A-NAME"}, as));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("400").contains("name");
            assertThat(cliWithInput("new value", concat(new String[] {"secrets", "update", uid}, as)).code()).isZero();

            assertThat(cli(concat(new String[] {"secrets", "delete", "NPM_TOKEN"}, as)).out()).contains("deleted NPM_TOKEN");
            assertThat(cli(concat(new String[] {"secrets", "list"}, as)).out()).doesNotContain("NPM_TOKEN");
            assertThat(cli(concat(new String[] {"secrets", "delete", uid}, as)).code()).isEqualTo(1);
        }
    }

    @Test
    void identitiesAreCreatedListedShownUpdatedUsedByRunAndDeleted() {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            String[] as = {"--server", server.apiBaseUrl(), "--api-key", TestServer.ADMIN_KEY};
            Result created = cli(concat(new String[] {"identities", "create", "Reviewer", "--description", "reviews",
                "--prompt", "Review carefully.", "--harness", "command", "--command", "true", "--worker-host", "cli-pool"}, as));
            assertThat(created.code()).as(created.err()).isZero();
            String uid = created.out().strip();
            assertThat(uid).matches("[A-Za-z0-9]{22}");
            assertThat(cli(concat(new String[] {"identities", "list"}, as)).out()).contains(uid).contains("Reviewer")
                    .contains("reviews");
            assertThat(cli(concat(new String[] {"identities", "get", uid}, as)).out()).contains("prompt Review carefully.")
                    .contains("harness command").contains("worker host cli-pool");
            Result updated = cli(concat(new String[] {"identities", "update", uid, "--name", "Senior reviewer",
                "--description", ""}, as));
            assertThat(updated.out()).as(updated.err()).contains("updated Senior reviewer");
            assertThat(cli(concat(new String[] {"identities", "get", uid}, as)).out()).doesNotContain("reviews")
                    .contains("Review carefully.");

            Result run = cli(concat(new String[] {"run", "look at it", "--identity", uid, "--json"}, as));
            assertThat(run.code()).as(run.err()).isZero();
            String runId = server.admin().get("/agent/runs?creator=" + uid).json().get("runs").get(0).get("run_id").asText();
            assertThat(run.out()).contains(runId);
            assertThat(cli(concat(new String[] {"runs", "list", "--identity", uid}, as)).out()).contains(runId);
            assertThat(cli(concat(new String[] {"runs", "list", "--identity", "A".repeat(22)}, as)).out())
                    .doesNotContain(runId);
            Result bad = cli(concat(new String[] {"identities", "create", "x", "--secret", "NOPE"}, as));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("400").contains("secrets[0].name");

            assertThat(cli(concat(new String[] {"identities", "delete", uid}, as)).out()).contains("deleted " + uid);
            assertThat(cli(concat(new String[] {"identities", "get", uid}, as)).code()).isEqualTo(1);
            assertThat(cli(concat(new String[] {"identities", "list"}, as)).out()).doesNotContain(uid);
        }
    }

    static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(cli("frobnicate").code()).isEqualTo(2);
    }

    @Test
    void anUnknownLogLevelIsAUsageError(@TempDir Path dir) {
        assertThat(cli("serve", "--log-level", "loud", "--port", "0", "--data-dir", dir.toString()).code()).isEqualTo(2);
        assertThat(dir).isEmptyDirectory(); // refused before anything was started or written
    }

    @Test
    void anUnknownForgeStopsTheServerBeforeItStartsAndNamesTheSetting(@TempDir Path dir) {
        Result r = cli("serve", "--forge", "bitbucket", "--port", "0", "--workers", "0", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("DROVER_FORGE", "bitbucket");
        assertThat(dir).isEmptyDirectory();

        Result noKind = cli("serve", "--git-base-url", "https://git.example", "--forge-api-url", "https://git.example/api/v1",
                "--port", "0", "--workers", "0", "--data-dir", dir.toString());
        assertThat(noKind.code()).isEqualTo(1);
        assertThat(noKind.err()).contains("DROVER_FORGE_API_URL", "DROVER_FORGE ");
        assertThat(dir).isEmptyDirectory();
    }

    /** The listing row of the key with {@code prefix}. */
    private static String row(String listing, String prefix) {
        return listing.lines().filter(l -> l.contains(prefix)).findFirst().orElseThrow().strip();
    }

    @Test
    void keysCreatedOnTheCommandLineAuthenticateUntilRevoked(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig())) {
            Path data = server.server().config().dataDir();
            Result created = cli("keys", "create", "--data-dir", data.toString(), "--name", "ci",
                    "--service-account", "ci-bot", "--team", "platform");
            assertThat(created.code()).isZero();
            String key = created.out().strip();
            assertThat(key).startsWith("drv_");

            Api bot = new Api(server.apiBaseUrl(), key);
            Api.Reply run = bot.post("/agent/runs", "{\"prompt\":\"from the bot\"}");
            assertThat(run.status()).as(run.toString()).isEqualTo(200);
            assertThat(bot.get("/agent/runs/" + run.json().get("run_id").asText()).json().get("creator").get("type").asText())
                    .isEqualTo("service_account");

            Result listed = cli("keys", "list", "--data-dir", data.toString());
            assertThat(listed.out()).contains("ci-bot").contains("bootstrap admin key").doesNotContain(key)
                    .contains("LAST USED").contains("REVOKED");
            String prefix = key.substring(0, 10);
            // the bot's key has been used and is not revoked: a timestamp, then "-"
            assertThat(row(listed.out(), prefix)).matches(".*ci-bot\\s+\\S+Z\\s+\\S+Z\\s+-$");

            assertThat(cli("keys", "revoke", "--data-dir", data.toString(), prefix).code()).isZero();
            // the running server revoked nothing itself: it stops accepting the key once its auth cache expires
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> bot.get("/agent/runs").status() == 401);
            assertThat(row(cli("keys", "list", "--data-dir", data.toString()).out(), prefix))
                    .matches(".*ci-bot\\s+\\S+Z\\s+\\S+Z\\s+\\S+Z$");
            // a new server on the same data has no cached principal: the key is refused at once
            server.close();
            try (TestServer again = TestServer.start(Backend.SQLITE, server.server().config())) {
                assertThat(new Api(again.apiBaseUrl(), key).get("/agent/runs").status()).isEqualTo(401);
            }
            assertThat(cli("keys", "revoke", "--data-dir", data.toString(), prefix).code()).isEqualTo(1);
        }
        assertThat(Files.exists(dir)).isTrue();
    }
}
