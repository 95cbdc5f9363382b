package dev.drover.server.skills;

import dev.drover.server.http.ApiException;
import java.util.regex.Pattern;

/**
 * A skill named by a run or a schedule, in one of the spec's forms: {@code repo:name}, {@code repo:path},
 * {@code owner/repo:name}, {@code owner/repo:path} (the variant id {@code owner/repo:path/SKILL.md} is the
 * last). A path contains a {@code /} or ends in {@code SKILL.md}; a path may name the skill's folder or its file.
 */
public record SkillSpec(String owner, String repo, String skill, boolean isPath) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public static SkillSpec parse(String field, String spec) {
        String s = spec == null ? "" : spec.strip();
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw malformed(field, spec);
        }
        String[] repo = s.substring(0, colon).split("/", -1);
        String skill = s.substring(colon + 1);
        if (repo.length > 2 || !isRepoSegment(repo[repo.length - 1])
                || (repo.length == 2 && !isRepoSegment(repo[0])) || skill.startsWith("/")
                || skill.contains("..")) {
            throw malformed(field, spec);
        }
        boolean isPath = skill.contains("/") || skill.endsWith(SkillPaths.FILE);
        return new SkillSpec(repo.length == 2 ? repo[0] : null, repo[repo.length - 1], skill, isPath);
    }

    /** An owner or repository name as GitHub allows them: letters, digits, {@code . _ -}, not {@code .} or {@code ..}. */
    public static boolean isRepoSegment(String s) {
        return s != null && SEGMENT.matcher(s).matches() && !s.equals(".") && !s.equals("..");
    }

    private static ApiException malformed(String field, String spec) {
        return ApiException.badRequest(field, "\"" + spec + "\" is not a skill spec; use repo:name, owner/repo:name "
                + "or owner/repo:path/to/SKILL.md");
    }

    /** Whether the skill {@code name} at {@code path} of {@code owner/repoName} is the one this spec names. */
    public boolean matches(String skillOwner, String repoName, String path, String name) {
        if ((owner != null && !owner.equalsIgnoreCase(skillOwner)) || !repo.equalsIgnoreCase(repoName)) {
            return false;
        }
        if (!isPath) {
            return skill.equals(name);
        }
        String wanted = skill.endsWith("/") ? skill.substring(0, skill.length() - 1) : skill;
        return path.equals(wanted) || path.equals(wanted + "/" + SkillPaths.FILE);
    }

    @Override
    public String toString() {
        return (owner == null ? "" : owner + "/") + repo + ":" + skill;
    }
}
