package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A run acting as an agent identity, end to end: a team defines an identity with a skill (in a real repository), an
 * environment (cloning it, with a setup command) and a managed secret; a run that names only a prompt and the
 * identity executes on a real worker with all of it — the built-in agent (scripted model) is given the identity's
 * prompt and its skill's instructions, the setup ran first, the secret reaches the setup command and the agent, and
 * its value appears nowhere in what the run shows.
 */
abstract class IdentityRunEndToEndTest {
    abstract Backend backend();

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRunByAgentIdentityUidExecutesWithTheIdentitysSkillEnvironmentAndSecret() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "");
        BareRepos repos = new BareRepos(Files.createTempDirectory("drover-identity-repos-"));
        repos.create("acme", "ops", Map.of(".agents/skills/report/SKILL.md", """
                ---
                name: report
                description: Writes the ops report
                ---
                Sign every report as SKILL-MARK-%s.
                """.formatted(suffix), "README.md", "# ops\n"));
        try (TestServer server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                        .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")).withGitBaseUrl(repos.root().toString()));
                ScriptedModelServer model = new ScriptedModelServer()) {
            Api user = server.admin();
            String value = "ops_" + suffix;
            assertThat(user.post("/secrets", Map.of("name", "OPS_TOKEN", "value", value)).status()).isEqualTo(201);
            String env = user.createEnvironment(Map.of("name", "ops", "github_repos",
                    List.of(Map.of("owner", "acme", "repo", "ops")), "setup_commands", List.of(
                            "echo setup-ran-" + suffix + " > setup.txt; printf %s \"$OPS_TOKEN\" | sha256sum >> setup.txt")));
            Api.Reply identity = user.post("/agent/identities", Map.of("name", "Ops agent",
                    "prompt", "You are the ops agent PROMPT-MARK-" + suffix + ".", "skills", List.of("acme/ops:report"),
                    "secrets", List.of(Map.of("name", "OPS_TOKEN")), "environment_id", env, "base_model", "gpt-5-mini"));
            assertThat(identity.status()).as(identity.toString()).isEqualTo(201);
            String uid = identity.json().get("uid").asText();

            String marker = "IDENTITY-RUN-" + suffix;
            model.whenPromptMentions(marker)
                    .thenCall("run_shell", Map.of("command",
                            "cat setup.txt; echo token=$OPS_TOKEN; printf %s \"$OPS_TOKEN\" | sha256sum"))
                    .thenCall("finish", Map.of("success", true, "summary", "reported"));
            Api key = server.newWorkerKey("identity-" + UUID.randomUUID());
            Path work = Files.createTempDirectory("drover-identity-work-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), key.key(), "identity", "default", 1,
                    work, WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), Duration.ofSeconds(30))
                    .withIsolation(IsolationSettings.of("none"))).start()) {
                // nothing but a prompt and the identity: the configuration is all the identity's
                Api.Reply created = user.post("/agent/runs", Map.of("prompt", marker, "agent_identity_uid", uid));
                assertThat(created.status()).as(created.toString()).isEqualTo(200);
                String run = created.json().get("run_id").asText();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        user.get("/agent/runs/" + run).json().get("state").asText()
                                .matches("SUCCEEDED|FAILED|ERROR|CANCELLED"));
                JsonNode done = user.get("/agent/runs/" + run).json();
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("agent_identity_uid").asText()).isEqualTo(uid);
                assertThat(done.get("creator").get("uid").asText()).isEqualTo(uid);
                assertThat(done.get("agent_config").get("environment_id").asText()).isEqualTo(env);

                // the identity's prompt and its skill's instructions reached the model as the agent's instructions
                String system = model.requests.getFirst().get("messages").get(0).get("content").asText();
                assertThat(system).contains("PROMPT-MARK-" + suffix).contains("Sign every report as SKILL-MARK-" + suffix);
                // the environment's setup ran first and had the secret; the agent had it too, and saw it only redacted
                String toModel = model.requests.toString();
                assertThat(toModel).contains("setup-ran-" + suffix).contains("token=[redacted:OPS_TOKEN]");
                assertThat(toModel.split(sha256(value), -1)).as("the setup command and the agent hashed the value")
                        .hasSizeGreaterThanOrEqualTo(3);
                assertThat(toModel).doesNotContain(value);

                String shown = user.get("/agent/runs/" + run + "/conversation").body()
                        + user.get("/agent/runs/" + run + "/transcript").body()
                        + user.get("/agent/events?run_ids=" + run + "&limit=500").body() + done;
                assertThat(shown).contains("token=[redacted:OPS_TOKEN]").doesNotContain(value);
            }
        }
    }
}
