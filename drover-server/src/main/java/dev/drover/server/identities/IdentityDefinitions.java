package dev.drover.server.identities;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.HarnessAuthSecrets;
import dev.drover.api.SecretRef;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.Environments;
import dev.drover.server.http.ApiException;
import dev.drover.server.http.Text;
import dev.drover.server.models.ModelCatalog;
import dev.drover.server.runs.RunRequests;
import dev.drover.server.runs.SkillResolver;
import dev.drover.server.secrets.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An agent identity's definition checked as strictly as a run's configuration, and against its team: the
 * environment, skills and secrets it names must be the team's, and its model usable.
 */
final class IdentityDefinitions {
    /** What an identity is made of, checked and normalized (skills in their canonical form). */
    record Definition(String name, String description, AmbientAgentConfig config, List<String> skills,
            List<String> secrets) {}

    private final Environments environments;
    private final Secrets secrets;
    private final SkillResolver skills;
    private final ModelCatalog models;

    IdentityDefinitions(Environments environments, Secrets secrets, SkillResolver skills, ModelCatalog models) {
        this.environments = environments;
        this.secrets = secrets;
        this.skills = skills;
        this.models = models;
    }

    /**
     * Checks a definition as strictly as a run's configuration, and against the team: its environment, skills and
     * secrets must be the team's (400 naming the field otherwise). Skills are stored in their canonical form.
     */
    Definition check(Principal as, String name, String description, AmbientAgentConfig config,
            List<String> skillSpecs, List<?> secretRefs) {
        String prompt = Text.blankIsAbsent("prompt", config.basePrompt());
        if (prompt != null && prompt.getBytes(StandardCharsets.UTF_8).length > RunRequests.MAX_PROMPT_BYTES) {
            throw ApiException.badRequest("prompt", "must be at most " + RunRequests.MAX_PROMPT_BYTES + " bytes");
        }
        AmbientAgentConfig prompted = withPrompt(config, prompt);
        Text.notBlankIfPresent("base_model", config.modelId()); // the run's model_id, named as this body names it
        Text.maxChars("base_model", config.modelId(), 128);
        RunRequests.validateConfig("", withPrompt(config, null)); // the rest, named as the request names it
        // the name after the configuration: a request with a mistaken harness hears about the harness first
        Text.required("name", name);
        Text.maxChars("name", name, RunRequests.MAX_NAME_CHARS);
        if (config.modelId() != null && RunRequests.runsBuiltInAgent(config)) {
            // the same check as a run's (a CLI harness's model is its CLI's business), so that an identity never makes
            // every one of its runs a 400
            try {
                models.checkUsable(config.modelId());
            } catch (ApiException e) {
                throw ApiException.badRequest("base_model", e.detail().substring(e.detail().indexOf(": ") + 2));
            }
        }
        if (config.harnessAuthSecrets() != null) { // a CLI harness's credential: a secret of the team, like secrets[]
            HarnessAuthSecrets h = config.harnessAuthSecrets();
            String f = "harness_auth_secrets.";
            for (String[] named : new String[][] {{f + "claude_auth_secret_name", h.claudeAuthSecretName()},
                    {f + "codex_auth_secret_name", h.codexAuthSecretName()},
                    {f + "gemini_auth_secret_name", h.geminiAuthSecretName()}}) {
                if (named[1] != null) {
                    secrets.requireVisible(as, named[1], named[0]);
                }
            }
        }
        if (config.environmentId() != null) {
            try {
                environments.get(as, config.environmentId());
            } catch (ApiException e) {
                throw ApiException.badRequest("environment_id", "no environment " + config.environmentId()
                        + " in the identity's team");
            }
        }
        if (skillSpecs.size() > Identities.MAX_SKILLS) {
            throw ApiException.badRequest("skills", "at most " + Identities.MAX_SKILLS + " skills");
        }
        List<String> canonical = new ArrayList<>();
        for (int i = 0; i < skillSpecs.size(); i++) {
            String field = "skills[" + i + "]";
            String spec = Text.required(field, skillSpecs.get(i));
            Text.maxChars(field, spec, 1024);
            String resolved;
            try {
                resolved = skills.resolve(as, field, spec, null).spec();
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                throw ApiException.badRequest(field, "no skill " + spec + " in the repositories of the team's "
                        + "environments");
            }
            if (canonical.contains(resolved)) {
                throw ApiException.badRequest(field, "names " + resolved + " a second time");
            }
            canonical.add(resolved);
        }
        if (secretRefs.size() > Identities.MAX_SECRETS) {
            throw ApiException.badRequest("secrets", "at most " + Identities.MAX_SECRETS + " secrets");
        }
        Set<String> names = new HashSet<>();
        List<String> ordered = new ArrayList<>();
        for (int i = 0; i < secretRefs.size(); i++) {
            String field = "secrets[" + i + "].name";
            Object ref = secretRefs.get(i);
            String n = ref instanceof SecretRef s ? s.name() : ref instanceof String s ? s : null;
            if (ref == null) {
                throw ApiException.badRequest("secrets[" + i + "]", "must be an object with a name");
            }
            Secrets.name(field, n);
            if (!names.add(n)) {
                throw ApiException.badRequest(field, "names " + n + " a second time");
            }
            secrets.requireVisible(as, n, field); // the identity's principal sees only its team's secrets
            ordered.add(n);
        }
        return new Definition(name.strip(), description, prompted, List.copyOf(canonical), List.copyOf(ordered));
    }

    static AmbientAgentConfig withPrompt(AmbientAgentConfig c, String prompt) {
        return new AmbientAgentConfig(c.name(), c.modelId(), prompt, c.environmentId(), c.skillSpec(), c.mcpServers(),
                c.computerUseEnabled(), c.idleTimeoutMinutes(), c.workerHost(), c.harness(), c.harnessAuthSecrets(),
                c.budgetUsd());
    }
}
