package dev.drover.server.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.AttachmentInput;
import dev.drover.api.Json;
import dev.drover.api.RunAgentRequest;
import dev.drover.server.http.ApiException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A run request checked field by field without a server: every refusal is a 400 whose detail starts with the
 * field's name as the client wrote it, and every limit lets its boundary value through.
 */
class RunRequestsTest {
    private static final String NOT_BLANK = "must not be blank (leave the field out instead)";

    private static RunAgentRequest request(String json) {
        try {
            return Json.mapper().readValue(json, RunAgentRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static AmbientAgentConfig config(String json) {
        try {
            return Json.mapper().readValue(json, AmbientAgentConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void refused(ThrowingCallable check, String detail) {
        assertThatThrownBy(check).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.detail()).isEqualTo(detail);
        });
    }

    private static void refusedRequest(String body, String detail) {
        refused(() -> RunRequests.validate(request(body)), detail);
    }

    private static void refusedConfig(String configJson, String detail) {
        refused(() -> RunRequests.validateConfig("config", config(configJson)), detail);
    }

    // ---- the request's own fields

    @Test
    void aRequestNeedsAPromptOrASkillFromOneOfItsThreePlaces() {
        String detail = "prompt: either prompt or skill (or config.skill_spec, config.skills) is required";
        refusedRequest("{}", detail);
        refusedRequest("{\"title\":\"only a title\",\"config\":{}}", detail);
        refusedRequest("{\"config\":{\"skills\":[]}}", detail);
        RunRequests.validate(request("{\"prompt\":\"p\"}"));
        RunRequests.validate(request("{\"skill\":\"acme/web:review\"}"));
        RunRequests.validate(request("{\"config\":{\"skill_spec\":\"acme/web:review\"}}"));
        RunRequests.validate(request("{\"config\":{\"skills\":[\"acme/web:review\"]}}"));
    }

    @Test
    void referencesAndThePromptMayBeLeftOutButNotBlankWhileABlankTitleMeansNone() {
        for (String field : List.of("prompt", "skill", "conversation_id", "parent_run_id", "agent_identity_uid")) {
            Map<String, Object> body = new HashMap<>(Map.of("skill", "acme/web:review", "prompt", "p"));
            body.put(field, " \t");
            refusedRequest(json(body), field + ": " + NOT_BLANK);
        }
        RunRequests.validate(request("{\"prompt\":\"p\",\"title\":\"   \"}"));
    }

    @Test
    void theNulCharacterIsRefusedInTextFields() {
        refusedRequest("{\"prompt\":\"a\\u0000b\"}", "prompt: must not contain the NUL character (\\u0000)");
        refusedRequest("{\"prompt\":\"p\",\"title\":\"a\\u0000\"}", "title: must not contain the NUL character (\\u0000)");
    }

    @Test
    void thePromptIsLimitedInUtf8BytesNotCharacters() {
        RunRequests.validate(new RunAgentRequest("x".repeat(RunRequests.MAX_PROMPT_BYTES), null, null, null, null,
                null, null, null, null, null, null));
        String tooLong = "é".repeat(RunRequests.MAX_PROMPT_BYTES / 2 + 1); // fewer characters than the limit
        refused(() -> RunRequests.validate(new RunAgentRequest(tooLong, null, null, null, null, null, null, null, null,
                null, null)), "prompt: must be at most 262144 bytes");
    }

    @Test
    void eachTextFieldHasItsLengthLimitAndTheLimitItselfPasses() {
        Map<String, Integer> limits = Map.of("title", 256, "skill", 1024, "conversation_id", 128,
                "parent_run_id", 128, "agent_identity_uid", 128);
        limits.forEach((field, max) -> {
            Map<String, Object> ok = new HashMap<>(Map.of("prompt", "p"));
            ok.put(field, "a".repeat(max));
            RunRequests.validate(request(json(ok)));
            Map<String, Object> over = new HashMap<>(Map.of("prompt", "p"));
            over.put(field, "a".repeat(max + 1));
            refusedRequest(json(over), field + ": must be at most " + max + " characters");
        });
    }

    @Test
    void metadataIsTwentyPairsOfNamedKeysAndShortStringValues() {
        Map<String, String> twenty = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            twenty.put("k" + i, "v");
        }
        RunRequests.validateMetadata(twenty);
        Map<String, String> more = new HashMap<>(twenty);
        more.put("k20", "v");
        refused(() -> RunRequests.validateMetadata(more), "metadata: at most 20 pairs are allowed");
        String keys = "keys are 1 to 64 characters of [a-zA-Z0-9._-]";
        refused(() -> RunRequests.validateMetadata(Map.of("a b", "v")), "metadata.a b: " + keys);
        refused(() -> RunRequests.validateMetadata(Map.of("", "v")), "metadata.: " + keys);
        refused(() -> RunRequests.validateMetadata(Map.of("k".repeat(100), "v")),
                "metadata." + "k".repeat(64) + "…: " + keys);
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("team", null);
        refused(() -> RunRequests.validateMetadata(nullValue), "metadata.team: value must be a string");
        RunRequests.validateMetadata(Map.of("team", "x".repeat(256)));
        refused(() -> RunRequests.validateMetadata(Map.of("team", "é".repeat(129))),
                "metadata.team: value must be at most 256 bytes");
        RunRequests.validateMetadata(null);
    }

    @Test
    void atMostFiveAttachmentsAreAccepted() {
        String one = "{\"file_name\":\"a.txt\",\"mime_type\":\"text/plain\",\"data\":\"aGk=\"}";
        String five = String.join(",", java.util.Collections.nCopies(5, one));
        RunRequests.validate(request("{\"prompt\":\"p\",\"attachments\":[" + five + "]}"));
        refusedRequest("{\"prompt\":\"p\",\"attachments\":[" + five + "," + one + "]}",
                "attachments: at most 5 attachments are allowed");
    }

    @Test
    void theModeIsNormalPlanOrOrchestrateAndOnlyTheBuiltInHarnessTakesTheLatterTwo() {
        assertThat(RunRequests.mode("mode", null, null, "config")).isNull();
        assertThat(RunRequests.mode("mode", "normal", config("{\"harness\":{\"type\":\"claude\"}}"), "config")).isNull();
        assertThat(RunRequests.mode("mode", "plan", null, "config")).isEqualTo("plan");
        assertThat(RunRequests.mode("mode", "orchestrate", config("{\"harness\":{\"type\":\"oz\"}}"), "config"))
                .isEqualTo("orchestrate");
        refused(() -> RunRequests.mode("mode", "fast", null, "config"),
                "mode: unknown mode \"fast\"; one of normal, plan, orchestrate");
        refused(() -> RunRequests.mode("mode", "PLAN", null, "config"),
                "mode: unknown mode \"PLAN\"; one of normal, plan, orchestrate");
        refused(() -> RunRequests.mode("mode", "plan", config("{\"harness\":{\"type\":\"claude\"}}"), "agent_config"),
                "mode: mode plan needs the built-in oz harness; the claude harness (agent_config.harness.type) runs "
                        + "in normal mode only");
        refusedRequest("{\"prompt\":\"p\",\"mode\":\"" + "m".repeat(100) + "\"}",
                "mode: unknown mode \"" + "m".repeat(64) + "…\"; one of normal, plan, orchestrate");
    }

    // ---- the agent config, named under config., agent_config. or at the top level

    @Test
    void unsupportedConfigMembersAreRefusedNamingTheWayRunsAreRouted() {
        refusedConfig("{\"computer_use_enabled\":true}",
                "config.computer_use_enabled: computer use is not supported by this server's harnesses; leave it out or false");
        RunRequests.validateConfig("config", config("{\"computer_use_enabled\":false}"));
        refusedConfig("{\"runner_id\":\"r1\"}", "config.runner_id: is not supported by this server: runs go to a "
                + "worker pool named by config.worker_host (drover worker --pool NAME)");
    }

    @Test
    void theFieldPrefixFollowsTheBodyTheConfigCameIn() {
        refused(() -> RunRequests.validateConfig("agent_config", config("{\"idle_timeout_minutes\":0}")),
                "agent_config.idle_timeout_minutes: must be between 1 and 60");
        refused(() -> RunRequests.validateConfig("", config("{\"idle_timeout_minutes\":0}")),
                "idle_timeout_minutes: must be between 1 and 60");
        refused(() -> RunRequests.validateConfig("", config("{\"harness\":{\"type\":\"oz\",\"model_id\":\"m\"}}")),
                "harness.model_id: applies to the claude, codex and gemini harnesses only; the oz harness's model is "
                        + "model_id");
    }

    @Test
    void skillsIsOneSpecAndExcludesSkillSpec() {
        refusedConfig("{\"skill_spec\":\"a/b:c\",\"skills\":[\"a/b:c\"]}", "config.skills: give either skills or skill_spec, not both");
        RunRequests.validateConfig("config", config("{\"skill_spec\":\"a/b:c\",\"skills\":[]}"));
        refusedConfig("{\"skills\":[\"a/b:c\",\"a/b:d\"]}", "config.skills: this server runs one skill per run; give one spec");
        refusedConfig("{\"skills\":[null]}", "config.skills[0]: must be a string");
        refusedConfig("{\"skills\":[\" \"]}", "config.skills[0]: " + NOT_BLANK);
        refusedConfig("{\"skills\":[\"" + "s".repeat(1025) + "\"]}", "config.skills[0]: must be at most 1024 characters");
        assertThat(RunRequests.skillSpec(config("{\"skills\":[\"a/b:c\"]}"))).isEqualTo("a/b:c");
        assertThat(RunRequests.skillSpec(config("{\"skill_spec\":\"a/b:d\",\"skills\":[]}"))).isEqualTo("a/b:d");
        assertThat(RunRequests.skillSpec(null)).isNull();
    }

    @Test
    void aHarnessModelOrReasoningLevelBelongsToTheCliHarnessesAndIsACommandLineSafeName() {
        refusedConfig("{\"harness\":{\"model_id\":\"gpt\"}}", "config.harness.model_id: applies to the claude, codex "
                + "and gemini harnesses only; the oz harness's model is config.model_id");
        refusedConfig("{\"harness\":{\"type\":\"command\",\"command\":\"x\",\"reasoning_level\":\"low\"}}",
                "config.harness.reasoning_level: applies to the claude, codex and gemini harnesses only; the command "
                        + "harness's model is config.model_id");
        for (String bad : List.of("-rf", "--model=x", "a b", "a;b")) {
            refusedConfig("{\"harness\":{\"type\":\"claude\",\"model_id\":\"" + bad + "\"}}",
                    "config.harness.model_id: must be a model name such as claude-sonnet-4-5");
        }
        refusedConfig("{\"harness\":{\"type\":\"claude\",\"model_id\":\" \"}}", "config.harness.model_id: " + NOT_BLANK);
        refusedConfig("{\"harness\":{\"type\":\"gemini\",\"model_id\":\"" + "g".repeat(129) + "\"}}",
                "config.harness.model_id: must be at most 128 characters");
        RunRequests.validateConfig("config", config("{\"harness\":{\"type\":\"claude\",\"model_id\":\"claude-sonnet-4-5\"}}"));
        RunRequests.validateConfig("config", config(
                "{\"harness\":{\"type\":\"codex\",\"model_id\":\"openai/gpt-5@2025[x]:1\",\"reasoning_level\":\"high\"}}"));
        refusedConfig("{\"harness\":{\"type\":\"codex\",\"reasoning_level\":\"max\"}}",
                "config.harness.reasoning_level: one of low, medium, high");
        refusedConfig("{\"harness\":{\"type\":\"claude\",\"reasoning_level\":\"low\"}}",
                "config.harness.reasoning_level: the claude CLI has no reasoning level setting; only the codex harness "
                        + "takes one");
    }

    @Test
    void configReferencesMayBeLeftOutButNotBlankAndEachHasALengthLimit() {
        for (String field : List.of("name", "model_id", "environment_id", "skill_spec", "worker_host")) {
            refusedConfig("{\"" + field + "\":\"  \"}", "config." + field + ": " + NOT_BLANK);
        }
        Map<String, Integer> limits = Map.of("name", 256, "model_id", 128, "environment_id", 128, "skill_spec", 1024,
                "worker_host", 128);
        limits.forEach((field, max) -> {
            RunRequests.validateConfig("config", config("{\"" + field + "\":\"" + "a".repeat(max) + "\"}"));
            refusedConfig("{\"" + field + "\":\"" + "a".repeat(max + 1) + "\"}",
                    "config." + field + ": must be at most " + max + " characters");
        });
        RunRequests.validateConfig("config", config("{\"base_prompt\":\"   \"}"));
        refused(() -> RunRequests.validateConfig("config", new AmbientAgentConfig(null, null,
                        "x".repeat(RunRequests.MAX_PROMPT_BYTES + 1), null, null, null, null, null, null, null, null, null)),
                "config.base_prompt: must be at most 262144 bytes");
    }

    @Test
    void theIdleTimeoutIsOneToSixtyMinutes() {
        RunRequests.validateConfig("config", config("{\"idle_timeout_minutes\":1}"));
        RunRequests.validateConfig("config", config("{\"idle_timeout_minutes\":60}"));
        refusedConfig("{\"idle_timeout_minutes\":0}", "config.idle_timeout_minutes: must be between 1 and 60");
        refusedConfig("{\"idle_timeout_minutes\":61}", "config.idle_timeout_minutes: must be between 1 and 60");
    }

    @Test
    void theHarnessIsOneOfFiveAndTheCommandHarnessNeedsACommand() {
        refusedConfig("{\"harness\":{\"type\":\"vim\"}}",
                "config.harness.type: unknown harness \"vim\"; one of claude, codex, command, gemini, oz");
        refusedConfig("{\"harness\":{\"type\":\"\"}}", "config.harness.type: " + NOT_BLANK);
        refusedConfig("{\"harness\":{\"type\":\"command\"}}",
                "config.harness.command: the command harness needs a command to run");
        refusedConfig("{\"harness\":{\"type\":\"command\",\"command\":\"" + "c".repeat(4097) + "\"}}",
                "config.harness.command: must be at most 4096 characters");
        for (String type : List.of("oz", "claude", "codex", "gemini")) {
            RunRequests.validateConfig("config", config("{\"harness\":{\"type\":\"" + type + "\"}}"));
        }
        RunRequests.validateConfig("config", config("{\"harness\":{\"type\":\"command\",\"command\":\"make test\"}}"));
    }

    @Test
    void theBudgetIsAPositiveAmountUpToAMillionDollars() {
        RunRequests.validateConfig("config", config("{\"budget_usd\":0.01}"));
        RunRequests.validateConfig("config", config("{\"budget_usd\":1000000}"));
        for (String bad : List.of("0", "-5", "1000000.01")) {
            refusedConfig("{\"budget_usd\":" + bad + "}", "config.budget_usd: must be a positive amount of US dollars");
        }
        refused(() -> RunRequests.validateConfig("config", new AmbientAgentConfig(null, null, null, null, null, null,
                null, null, null, null, null, Double.NaN)), "config.budget_usd: must be a positive amount of US dollars");
    }

    @Test
    void harnessAuthSecretsAreSecretNames() {
        String secretName = "a secret name is 1 to 128 letters, digits or underscores, not starting with a digit (it "
                + "is the environment variable the value is injected as)";
        for (String field : List.of("claude_auth_secret_name", "codex_auth_secret_name", "gemini_auth_secret_name")) {
            refusedConfig("{\"harness_auth_secrets\":{\"" + field + "\":\"1st-key\"}}",
                    "config.harness_auth_secrets." + field + ": " + secretName);
            RunRequests.validateConfig("config", config("{\"harness_auth_secrets\":{\"" + field + "\":\"API_KEY\"}}"));
        }
    }

    @Test
    void eachMcpServerHasExactlyOneTransportAndBoundedArgumentsEnvironmentAndHeaders() {
        String p = "config.mcp_servers.gh";
        refusedConfig("{\"mcp_servers\":{\"gh\":null}}", p + ": must be an object");
        refusedConfig("{\"mcp_servers\":{\"gh\":{}}}", p + ": must have exactly one of warp_id, command or url");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"command\":\"x\",\"url\":\"https://mcp.example\"}}}",
                p + ": must have exactly one of warp_id, command or url");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"url\":\"ftp://mcp.example\"}}}", p + ".url: must be an http or https URL");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"url\":\"file:///etc/passwd\"}}}", p + ".url: must be an http or https URL");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"url\":\"http://exa mple\"}}}", p + ".url: is not a valid URL");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"url\":\" \"}}}", p + ".url: " + NOT_BLANK);
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"command\":\"x\",\"args\":[\"a\",null]}}}", p + ".args[1]: must be a string");
        List<String> manyArgs = new ArrayList<>(java.util.Collections.nCopies(257, "a"));
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"command\":\"x\",\"args\":" + json(manyArgs) + "}}}",
                p + ".args: at most 256 arguments");
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            env.put("K" + i, "v");
        }
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"command\":\"x\",\"env\":" + json(env) + "}}}",
                p + ".env: at most 64 entries");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"command\":\"x\",\"env\":{\"TOKEN\":null}}}}",
                p + ".env.TOKEN: must be a string");
        refusedConfig("{\"mcp_servers\":{\"gh\":{\"url\":\"https://mcp.example\",\"headers\":{\"X\":\""
                + "h".repeat(8193) + "\"}}}}", p + ".headers.X: must be at most 8192 characters");
        RunRequests.validateConfig("config", config("{\"mcp_servers\":{\"gh\":{\"url\":\"https://mcp.example\","
                + "\"headers\":{\"Authorization\":\"Bearer x\"}},\"local\":{\"command\":\"npx\",\"args\":[\"srv\"],"
                + "\"env\":{\"A\":\"b\"}},\"warp\":{\"warp_id\":\"w1\"}}}"));
        Map<String, Object> servers = new HashMap<>();
        for (int i = 0; i < 33; i++) {
            servers.put("s" + i, Map.of("warp_id", "w"));
        }
        refusedConfig("{\"mcp_servers\":" + json(servers) + "}", "config.mcp_servers: at most 32 servers");
    }

    // ---- attachments, titles and pools

    private static List<RunRequests.Attachment> decode(AttachmentInput... inputs) {
        return RunRequests.decodeAttachments(Arrays.asList(inputs));
    }

    @Test
    void attachmentsArePlainFileNamesMediaTypesAndStrictBase64() {
        assertThat(RunRequests.decodeAttachments(null)).isEmpty();
        RunRequests.Attachment hello = decode(new AttachmentInput("notes.txt", "text/plain", "aGVs\r\nbG8=")).getFirst();
        assertThat(new String(hello.bytes())).as("line breaks inside base64 are allowed").isEqualTo("hello");
        assertThat(hello.fileName()).isEqualTo("notes.txt");
        refused(() -> decode(new AttachmentInput("a.txt", "text/plain", "aGk="), null), "attachments[1]: must be an object");
        for (String name : Arrays.asList(null, "", " ", "../etc/passwd", "a/b", "a\\b", ".", "..", "a\nb",
                "n".repeat(256))) {
            refused(() -> decode(new AttachmentInput(name, "text/plain", "aGk=")),
                    "attachments[0].file_name: must be a plain file name of 1 to 255 characters");
        }
        decode(new AttachmentInput("n".repeat(255), "text/plain", "aGk="));
        for (String type : Arrays.asList(null, "", "image", "image/", "/png", "text/plain; charset=utf-8", "a b/c")) {
            refused(() -> decode(new AttachmentInput("a.png", type, "aGk=")),
                    "attachments[0].mime_type: must be a media type such as image/png");
        }
        refused(() -> decode(new AttachmentInput("a.png", "image/png", null)), "attachments[0].data: base64 data is required");
        for (String data : List.of("!!!!", "aGk=x", "a-_b", "aGk=aGk=")) {
            refused(() -> decode(new AttachmentInput("a.png", "image/png", data)), "attachments[0].data: is not valid base64");
        }
    }

    @Test
    void anAttachmentOverTenMegabytesIsRefusedBeforeAndAfterDecoding() {
        int max = 10 * 1024 * 1024;
        String exactly = Base64.getEncoder().encodeToString(new byte[max]);
        assertThat(decode(new AttachmentInput("big.bin", "application/octet-stream", exactly)).getFirst().bytes())
                .hasSize(max);
        String oneMore = Base64.getEncoder().encodeToString(new byte[max + 1]);
        refused(() -> decode(new AttachmentInput("big.bin", "application/octet-stream", oneMore)),
                "attachments[0].data: attachment is larger than 10485760 bytes");
        String huge = "A".repeat((max / 3 + 1) * 4 + 4097);
        refused(() -> decode(new AttachmentInput("big.bin", "application/octet-stream", huge)),
                "attachments[0].data: attachment is larger than 10485760 bytes");
    }

    @Test
    void aTitleIsTheGivenOneOrThePromptsFirstLineCutAtAWordOrTheSkill() {
        assertThat(RunRequests.title(request("{\"prompt\":\"p\",\"title\":\"  Mine  \"}"), null)).isEqualTo("Mine");
        assertThat(RunRequests.title(request("{\"prompt\":\"\\n\\n  Fix   the\\ttests \\nthen more\"}"), null))
                .isEqualTo("Fix the tests");
        String words = "word ".repeat(30).strip(); // 149 characters
        String cut = RunRequests.title(RunAgentRequest.ofPrompt(words), null);
        assertThat(cut).endsWith("…").doesNotContain("  ");
        assertThat(cut.length()).isLessThanOrEqualTo(80);
        assertThat(cut.substring(0, cut.length() - 1)).endsWith("word");
        String oneWord = "x".repeat(200);
        assertThat(RunRequests.title(RunAgentRequest.ofPrompt(oneWord), null)).isEqualTo("x".repeat(79) + "…");
        assertThat(RunRequests.title(RunAgentRequest.ofPrompt("y".repeat(80)), null)).isEqualTo("y".repeat(80));
        assertThat(RunRequests.title(request("{\"skill\":\"acme/web:review\"}"), "acme/web:review"))
                .isEqualTo("Run acme/web:review");
    }

    @Test
    void aWorkerHostMustBeAPoolNameAndAnUnknownPoolIsAcceptedWithAWarning() {
        WorkerPools none = pool -> false;
        WorkerPools gpu = "gpu"::equals;
        assertThat(RunRequests.poolWarning("config", null, none)).isEmpty();
        assertThat(RunRequests.poolWarning("config", config("{}"), none)).isEmpty();
        assertThat(RunRequests.poolWarning("config", config("{\"worker_host\":\"default\"}"), none)).isEmpty();
        assertThat(RunRequests.poolWarning("config", config("{\"worker_host\":\"warp\"}"), none))
                .as("the SDK's default host is the default pool").isEmpty();
        assertThat(RunRequests.poolWarning("config", config("{\"worker_host\":\"gpu\"}"), gpu)).isEmpty();
        assertThat(RunRequests.poolWarning("config", config("{\"worker_host\":\"gpu\"}"), none)).contains(
                "config.worker_host: no worker of pool gpu has registered with this server yet; runs wait in QUEUED "
                        + "until one does (drover worker --pool gpu)");
        for (String bad : List.of("bad pool!", "-gpu", ".hidden", "p".repeat(129))) {
            refused(() -> RunRequests.poolWarning("config", config("{\"worker_host\":" + json(bad) + "}"), none),
                    "config.worker_host: 1 to 128 characters of [A-Za-z0-9._:-] starting with a letter or digit, as "
                            + "worker pools are named");
        }
    }
}
