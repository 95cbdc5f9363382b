package dev.drover.server.runs;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.AttachmentInput;
import dev.drover.api.Harness;
import dev.drover.api.McpServerConfig;
import dev.drover.api.RunAgentRequest;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.secrets.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a {@link RunAgentRequest} field by field; every refusal names the field it is about. */
public final class RunRequests {
    public static final int MAX_PROMPT_BYTES = 256 * 1024;
    static final int MAX_TITLE_CHARS = 256;
    public static final int MAX_NAME_CHARS = 256;
    static final int MAX_ATTACHMENTS = 5;
    static final int MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
    static final int MAX_METADATA_PAIRS = 20;
    static final int MAX_METADATA_VALUE_BYTES = 256;
    static final Set<String> HARNESSES = Set.of("oz", "claude", "codex", "gemini", "command");
    private static final Pattern METADATA_KEY = Pattern.compile("[a-zA-Z0-9._-]{1,64}");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,126}/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,126}");

    private RunRequests() {}

    /** A decoded attachment, ready to be stored. */
    record Attachment(String fileName, String mimeType, byte[] bytes) {}

    /** Whether the run's agent is the built-in one ({@code oz}, the default), not a CLI or a command. */
    public static boolean runsBuiltInAgent(AmbientAgentConfig c) {
        return c.harness() == null || c.harness().type() == null || c.harness().type().equals("oz");
    }

    static void validate(RunAgentRequest r) {
        AmbientAgentConfig c = r.config();
        // blank vs absent, field by field (docs/api.md "Text"): references and the prompt must say something
        // when given; title is free text whose blank means "generate one"
        Text.notBlankIfPresent("prompt", r.prompt());
        Text.notBlankIfPresent("skill", r.skill());
        Text.notBlankIfPresent("conversation_id", r.conversationId());
        Text.notBlankIfPresent("parent_run_id", r.parentRunId());
        Text.notBlankIfPresent("agent_identity_uid", r.agentIdentityUid());
        Text.blankIsAbsent("title", r.title());
        mode("mode", r.mode(), c, "config");
        if (c != null) { // first: whether the run has a skill depends on config.skills being one spec
            validateConfig("config", c);
        }
        boolean hasSkill = notBlank(r.skill()) || notBlank(skillSpec(c));
        if (!notBlank(r.prompt()) && !hasSkill) {
            throw ApiException.badRequest("prompt", "either prompt or skill (or config.skill_spec, config.skills) is required");
        }
        if (r.prompt() != null && r.prompt().getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES) {
            throw ApiException.badRequest("prompt", "must be at most " + MAX_PROMPT_BYTES + " bytes");
        }
        Text.maxChars("title", r.title(), MAX_TITLE_CHARS);
        Text.maxChars("skill", r.skill(), 1024);
        Text.maxChars("conversation_id", r.conversationId(), 128);
        Text.maxChars("parent_run_id", r.parentRunId(), 128);
        Text.maxChars("agent_identity_uid", r.agentIdentityUid(), 128);
        validateMetadata(r.metadata());
        if (r.attachments() != null && r.attachments().size() > MAX_ATTACHMENTS) {
            throw ApiException.badRequest("attachments", "at most " + MAX_ATTACHMENTS + " attachments are allowed");
        }
    }

    /**
     * Members of the newer SDK's agent config Drover has nothing behind: Bedrock inference settings (providers are
     * the workers', docs/architecture.md), memory stores, and shared-session link access (Drover sessions are shared
     * by their link already). Refused when present, never dropped.
     */
    public static java.util.List<String> unsupportedConfigFields(String field) {
        return java.util.List.of(field + ".inference_providers", field + ".memory_stores", field + ".session_sharing");
    }

    public static final String UNSUPPORTED = "is not supported by this server (docs/api.md, \"Request fields\")";

    /** The harnesses whose CLI takes a model and a reasoning level of the run's own ({@code harness.model_id}). */
    static final Set<String> CLI_HARNESSES = Set.of("claude", "codex", "gemini");
    /** {@code harness.reasoning_level}: the levels Codex's {@code model_reasoning_effort} takes that Drover passes. */
    static final Set<String> REASONING_LEVELS = Set.of("low", "medium", "high");

    /**
     * The newer SDK's query {@code mode}: normal (the default), plan (the agent inspects without changing anything
     * and publishes a PLAN artifact) or orchestrate (the agent splits the work among child runs). The built-in
     * harness does the last two (docs/api.md "Modes"); a CLI or command harness cannot be held to them, so there
     * they are refused rather than run as normal. Returns the mode to store: null for normal.
     */
    public static String mode(String field, String mode, AmbientAgentConfig config, String configField) {
        if (mode == null || mode.equals("normal")) {
            return null;
        }
        if (!mode.equals("plan") && !mode.equals("orchestrate")) {
            throw ApiException.badRequest(field, "unknown mode \"" + shown(mode) + "\"; one of normal, plan, orchestrate");
        }
        if (config != null && !runsBuiltInAgent(config)) {
            throw ApiException.badRequest(field, "mode " + mode + " needs the built-in oz harness; the "
                    + config.harness().type() + " harness (" + configField + ".harness.type) runs in normal mode only");
        }
        return mode;
    }

    /**
     * The one skill a config names: {@code skill_spec}, else the only entry of the newer SDK's {@code skills}
     * (checked by {@link #validateConfig}: the two are exclusive and Drover runs one skill).
     */
    public static String skillSpec(AmbientAgentConfig c) {
        if (c == null) {
            return null;
        }
        if (c.skillSpec() != null || c.skills() == null || c.skills().isEmpty()) {
            return c.skillSpec();
        }
        return c.skills().getFirst();
    }

    /** An agent config, its fields named under {@code field} ({@code config} of a run, {@code agent_config} of a schedule). */
    public static void validateConfig(String field, AmbientAgentConfig c) {
        String p = field.isEmpty() ? "" : field + "."; // "": the fields are top-level (an agent identity's)
        if (Boolean.TRUE.equals(c.computerUseEnabled())) {
            throw ApiException.badRequest(p + "computer_use_enabled", "computer use is not supported by this "
                    + "server's harnesses; leave it out or false");
        }
        if (c.runnerId() != null) {
            throw ApiException.badRequest(p + "runner_id", "is not supported by this server: runs go to a "
                    + "worker pool named by " + p + "worker_host (drover worker --pool NAME)");
        }
        if (c.skills() != null) {
            if (c.skillSpec() != null && !c.skills().isEmpty()) {
                throw ApiException.badRequest(p + "skills", "give either skills or skill_spec, not both");
            }
            if (c.skills().size() > 1) {
                throw ApiException.badRequest(p + "skills", "this server runs one skill per run; give one spec");
            }
            if (c.skills().size() == 1) {
                if (c.skills().getFirst() == null) {
                    throw ApiException.badRequest(p + "skills[0]", "must be a string");
                }
                Text.notBlankIfPresent(p + "skills[0]", c.skills().getFirst());
                Text.maxChars(p + "skills[0]", c.skills().getFirst(), 1024);
            }
        }
        validateHarnessModel(field, c);
        Text.notBlankIfPresent(p + "name", c.name());
        Text.notBlankIfPresent(p + "model_id", c.modelId());
        Text.notBlankIfPresent(p + "environment_id", c.environmentId());
        Text.notBlankIfPresent(p + "skill_spec", c.skillSpec());
        Text.notBlankIfPresent(p + "worker_host", c.workerHost());
        Text.blankIsAbsent(p + "base_prompt", c.basePrompt());
        if (c.harness() != null) {
            Text.notBlankIfPresent(p + "harness.type", c.harness().type());
            Text.notBlankIfPresent(p + "harness.command", c.harness().command());
        }
        Text.maxChars(p + "name", c.name(), MAX_NAME_CHARS);
        Text.maxChars(p + "model_id", c.modelId(), 128);
        Text.maxChars(p + "environment_id", c.environmentId(), 128);
        Text.maxChars(p + "skill_spec", c.skillSpec(), 1024);
        Text.maxChars(p + "worker_host", c.workerHost(), 128);
        if (c.basePrompt() != null && c.basePrompt().getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES) {
            throw ApiException.badRequest(p + "base_prompt", "must be at most " + MAX_PROMPT_BYTES + " bytes");
        }
        if (c.idleTimeoutMinutes() != null && (c.idleTimeoutMinutes() < 1 || c.idleTimeoutMinutes() > 60)) {
            throw ApiException.badRequest(p + "idle_timeout_minutes", "must be between 1 and 60");
        }
        if (c.harness() != null && c.harness().type() != null && !HARNESSES.contains(c.harness().type())) {
            throw ApiException.badRequest(p + "harness.type", "unknown harness \"" + c.harness().type()
                    + "\"; one of " + String.join(", ", HARNESSES.stream().sorted().toList()));
        }
        if (c.budgetUsd() != null && (!(c.budgetUsd() > 0) || c.budgetUsd() > 1_000_000)) {
            throw ApiException.badRequest(p + "budget_usd", "must be a positive amount of US dollars");
        }
        if (c.harness() != null && "command".equals(c.harness().type())
                && (c.harness().command() == null || c.harness().command().isBlank())) {
            throw ApiException.badRequest(p + "harness.command", "the command harness needs a command to run");
        }
        Text.maxChars(p + "harness.command", c.harness() == null ? null : c.harness().command(), 4096);
        if (c.harnessAuthSecrets() != null) { // that they exist is checked by RunSecrets, in the caller's scope
            secretName(p + "harness_auth_secrets.claude_auth_secret_name", c.harnessAuthSecrets().claudeAuthSecretName());
            secretName(p + "harness_auth_secrets.codex_auth_secret_name", c.harnessAuthSecrets().codexAuthSecretName());
            secretName(p + "harness_auth_secrets.gemini_auth_secret_name", c.harnessAuthSecrets().geminiAuthSecretName());
        }
        if (c.mcpServers() != null) {
            if (c.mcpServers().size() > 32) {
                throw ApiException.badRequest(p + "mcp_servers", "at most 32 servers");
            }
            for (Map.Entry<String, McpServerConfig> e : c.mcpServers().entrySet()) {
                Text.maxChars(p + "mcp_servers." + shown(e.getKey()), e.getKey(), 128);
                McpServerRequests.validate(p + "mcp_servers." + shown(e.getKey()), e.getValue());
            }
        }
    }

    /** {@code harness.model_id} and {@code reasoning_level} belong to a CLI harness; the built-in one has config.model_id. */
    private static void validateHarnessModel(String field, AmbientAgentConfig c) {
        Harness h = c.harness();
        String p = field.isEmpty() ? "" : field + "."; // as validateConfig names them: an identity's are top-level
        if (h == null || (h.modelId() == null && h.reasoningLevel() == null)) {
            return;
        }
        String type = h.type() == null ? "oz" : h.type();
        if (!CLI_HARNESSES.contains(type)) {
            String which = h.modelId() != null ? "harness.model_id" : "harness.reasoning_level";
            throw ApiException.badRequest(p + which, "applies to the claude, codex and gemini harnesses only; "
                    + "the " + type + " harness's model is " + p + "model_id");
        }
        Text.notBlankIfPresent(p + "harness.model_id", h.modelId());
        Text.maxChars(p + "harness.model_id", h.modelId(), 128);
        if (h.modelId() != null && !h.modelId().matches("[A-Za-z0-9][A-Za-z0-9._:/@\\[\\]-]*")) {
            // it becomes a command-line argument of the CLI: no leading dash, no spaces
            throw ApiException.badRequest(p + "harness.model_id", "must be a model name such as claude-sonnet-4-5");
        }
        if (h.reasoningLevel() != null) {
            if (!REASONING_LEVELS.contains(h.reasoningLevel())) {
                throw ApiException.badRequest(p + "harness.reasoning_level", "one of low, medium, high");
            }
            if (!type.equals("codex")) {
                throw ApiException.badRequest(p + "harness.reasoning_level", "the " + type + " CLI has no "
                        + "reasoning level setting; only the codex harness takes one");
            }
        }
    }

    private static void secretName(String field, String name) {
        if (name != null) {
            Secrets.name(field, name);
        }
    }

    /** A client's map key as an error names it: cut short, so a 2 MB key is not echoed back. */
    static String shown(String key) {
        return key.length() <= 64 ? key : key.substring(0, 64) + "…";
    }

    static boolean isMetadataKey(String key) {
        return METADATA_KEY.matcher(key).matches();
    }

    public static void validateMetadata(Map<String, String> metadata) {
        if (metadata == null) {
            return;
        }
        if (metadata.size() > MAX_METADATA_PAIRS) {
            throw ApiException.badRequest("metadata", "at most " + MAX_METADATA_PAIRS + " pairs are allowed");
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!isMetadataKey(e.getKey())) {
                throw ApiException.badRequest("metadata." + shown(e.getKey()),
                        "keys are 1 to 64 characters of [a-zA-Z0-9._-]");
            }
            if (e.getValue() == null) {
                throw ApiException.badRequest("metadata." + e.getKey(), "value must be a string");
            }
            if (e.getValue().getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_VALUE_BYTES) {
                throw ApiException.badRequest("metadata." + e.getKey(),
                        "value must be at most " + MAX_METADATA_VALUE_BYTES + " bytes");
            }
        }
    }

    static List<Attachment> decodeAttachments(List<AttachmentInput> inputs) {
        if (inputs == null) {
            return List.of();
        }
        // the strict decoder (after dropping line breaks): the MIME decoder would silently skip garbage
        Base64.Decoder decoder = Base64.getDecoder();
        java.util.ArrayList<Attachment> out = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String f = "attachments[" + i + "]";
            AttachmentInput a = inputs.get(i);
            if (a == null) {
                throw ApiException.badRequest(f, "must be an object");
            }
            if (!notBlank(a.fileName()) || a.fileName().length() > 255 || a.fileName().contains("/")
                    || a.fileName().contains("\\") || a.fileName().equals(".") || a.fileName().equals("..")
                    || a.fileName().chars().anyMatch(ch -> ch < 0x20)) {
                throw ApiException.badRequest(f + ".file_name", "must be a plain file name of 1 to 255 characters");
            }
            if (!notBlank(a.mimeType()) || !MEDIA_TYPE.matcher(a.mimeType()).matches()) {
                throw ApiException.badRequest(f + ".mime_type", "must be a media type such as image/png");
            }
            if (a.data() == null) {
                throw ApiException.badRequest(f + ".data", "base64 data is required");
            }
            if (a.data().length() > (MAX_ATTACHMENT_BYTES / 3 + 1) * 4 + 4096) {
                throw ApiException.badRequest(f + ".data", "attachment is larger than " + MAX_ATTACHMENT_BYTES + " bytes");
            }
            byte[] bytes;
            try {
                bytes = decoder.decode(a.data().replaceAll("[\\r\\n]", ""));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(f + ".data", "is not valid base64");
            }
            if (bytes.length > MAX_ATTACHMENT_BYTES) {
                throw ApiException.badRequest(f + ".data", "attachment is larger than " + MAX_ATTACHMENT_BYTES + " bytes");
            }
            out.add(new Attachment(a.fileName(), a.mimeType(), bytes));
        }
        return out;
    }

    /** A title from the prompt's first line, cut at a word boundary; or from the skill. */
    static String title(RunAgentRequest r, String skillSpec) {
        if (notBlank(r.title())) {
            return r.title().strip();
        }
        if (notBlank(r.prompt())) {
            String line = r.prompt().strip().lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip()
                    .replaceAll("\\s+", " ");
            if (line.length() <= 80) {
                return line;
            }
            int cut = line.lastIndexOf(' ', 79);
            return line.substring(0, cut > 40 ? cut : 79).strip() + "…";
        }
        return "Run " + skillSpec;
    }

    /** How workers name their pools (checked at registration): a worker_host outside it can never be served. */
    private static final Pattern POOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /**
     * {@code worker_host} names a pool: one that cannot be a pool's name is refused; one that no worker has joined
     * yet is accepted (workers may be provisioned after the runs that wait for them) and the answer says so —
     * the returned text goes into a {@code Warning} header, so a typo does not queue a run for ever unnoticed.
     */
    public static java.util.Optional<String> poolWarning(String field, AmbientAgentConfig c, WorkerPools pools) {
        if (c == null || c.workerHost() == null) {
            return java.util.Optional.empty();
        }
        String pool = Runs.pool(c);
        if (!POOL.matcher(pool).matches()) {
            throw ApiException.badRequest(field + ".worker_host", "1 to 128 characters of [A-Za-z0-9._:-] starting "
                    + "with a letter or digit, as worker pools are named");
        }
        if (pool.equals(Runs.DEFAULT_POOL) || pools.known(pool)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(field + ".worker_host: no worker of pool " + pool + " has registered with this "
                + "server yet; runs wait in QUEUED until one does (drover worker --pool " + pool + ")");
    }

    public static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
