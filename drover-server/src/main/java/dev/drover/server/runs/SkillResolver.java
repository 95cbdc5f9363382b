package dev.drover.server.runs;

import dev.drover.server.auth.Principal;

/**
 * Turns a run's skill spec into the skill it names, for the caller (the skills feature does it from the
 * repositories of the caller's environments). Refusals are {@code ApiException}s naming {@code field}.
 */
public interface SkillResolver {
    ResolvedSkill resolve(Principal caller, String field, String spec, String prompt);

    /**
     * A skill found: {@code spec} is its canonical form ({@code owner/repo:path/SKILL.md}), {@code instructions}
     * the body of its SKILL.md with its placeholders filled from the prompt.
     */
    record ResolvedSkill(String spec, String name, String description, String path, String instructions) {}

    /** For servers without skills (and tests of other features): every spec is unknown. */
    SkillResolver NONE = (caller, field, spec, prompt) -> {
        throw dev.drover.server.http.ApiException.notFound(field, "skill");
    };
}
