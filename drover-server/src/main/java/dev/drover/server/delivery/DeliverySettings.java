package dev.drover.server.delivery;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * How runs' changes are delivered, from the server's environment (see the README): which forge the git source is
 * ({@code DROVER_FORGE}: github, gitlab, gitea or none; github when the git base URL is github.com, else none) and
 * where its REST API is ({@code DROVER_FORGE_API_URL}, else derived from the git base URL), the branch name pattern
 * ({@code DROVER_BRANCH_PATTERN}, default {@code drover/{short_id}}) and the commit author
 * ({@code DROVER_COMMIT_AUTHOR}, default {@code Drover <drover@localhost>}). Checked at start: a bad setting stops
 * the server naming the variable, rather than failing every run later.
 *
 * @param forge {@code github}, {@code gitlab}, {@code gitea}, or null for none (push only, no pull requests)
 * @param forgeApiUrl the forge's REST API base; null when there is no forge
 */
public record DeliverySettings(String forge, String forgeApiUrl, String branchPattern, String commitAuthor) {
    public static final String DEFAULT_BRANCH_PATTERN = "drover/{short_id}";
    public static final String DEFAULT_COMMIT_AUTHOR = "Drover <drover@localhost>";
    /** {@code Name <email>}: what git itself writes in a commit's author line. */
    private static final Pattern AUTHOR = Pattern.compile("[^<>\\n]*[^<>\\s][^<>\\n]*<[^<>\\s@]+@[^<>\\s]+>");

    public DeliverySettings {
        if (forge != null && !java.util.Set.of("github", "gitlab", "gitea").contains(forge)) {
            throw new IllegalArgumentException("DROVER_FORGE: github, gitlab, gitea or none, not " + forge);
        }
        if (!branchPattern.contains("{short_id}") && !branchPattern.contains("{run_id}")) {
            throw new IllegalArgumentException("DROVER_BRANCH_PATTERN: must contain {short_id} or {run_id}, so that "
                    + "every run has a branch of its own: " + branchPattern);
        }
        String sample = branch(branchPattern, "00000000-0000-4000-8000-000000000000");
        if (!Repository.isValidRefName("refs/heads/" + sample)) {
            throw new IllegalArgumentException("DROVER_BRANCH_PATTERN: " + branchPattern + " does not make a valid git "
                    + "branch name (" + sample + ")");
        }
        if (!AUTHOR.matcher(commitAuthor).matches()) {
            throw new IllegalArgumentException("DROVER_COMMIT_AUTHOR: must be 'Name <email>', not " + commitAuthor);
        }
    }

    /**
     * @param gitBase the server's git base URL (as {@code GitSources} normalised it)
     * @param env the server's environment; {@code --forge} is passed in it as {@code DROVER_FORGE}
     */
    public static DeliverySettings fromEnv(Map<String, String> env, String gitBase) {
        String configured = blankToNull(env.get("DROVER_FORGE"));
        String forge;
        if (configured == null) {
            forge = isGithubCom(gitBase) ? "github" : null;
        } else {
            forge = configured.strip().toLowerCase(Locale.ROOT);
            if (forge.equals("none")) {
                forge = null;
            }
        }
        String api = blankToNull(env.get("DROVER_FORGE_API_URL"));
        if (api != null) {
            api = api.strip();
            if (!api.startsWith("https://") && !api.startsWith("http://")) {
                throw new IllegalArgumentException("DROVER_FORGE_API_URL: an http(s) URL, not " + api);
            }
            while (api.endsWith("/")) {
                api = api.substring(0, api.length() - 1);
            }
        }
        if (forge != null && api == null) {
            api = ForgeApis.derive(forge, gitBase);
            if (api == null) {
                throw new IllegalArgumentException("DROVER_FORGE_API_URL: the " + forge + " API cannot be derived from "
                        + "the git base URL " + gitBase + "; set it");
            }
        }
        String pattern = blankToNull(env.get("DROVER_BRANCH_PATTERN"));
        String author = blankToNull(env.get("DROVER_COMMIT_AUTHOR"));
        return new DeliverySettings(forge, forge == null ? null : api,
                pattern == null ? DEFAULT_BRANCH_PATTERN : pattern.strip(),
                author == null ? DEFAULT_COMMIT_AUTHOR : author.strip());
    }

    /** The branch of run {@code runId}: {@code {short_id}} is the first 8 characters of its id, {@code {run_id}} all. */
    public String branchFor(String runId) {
        return branch(branchPattern, runId);
    }

    private static String branch(String pattern, String runId) {
        return pattern.replace("{short_id}", runId.substring(0, 8)).replace("{run_id}", runId);
    }

    private static boolean isGithubCom(String base) {
        try {
            String host = java.net.URI.create(base).getHost();
            return host != null && (host.equalsIgnoreCase("github.com") || host.equalsIgnoreCase("www.github.com"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
