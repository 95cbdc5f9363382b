package dev.drover.server.delivery;

import dev.drover.forge.ForgeEndpoint;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * How runs' changes are delivered (see the README): which forge the git source is and where its REST API is (the
 * server's forge settings, {@code DROVER_FORGE} and {@code DROVER_FORGE_API_URL}), the branch name pattern
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
     * @param forge the deployment's forge ({@code ServerConfig#forgeEndpoint}: {@code DROVER_FORGE},
     *     {@code DROVER_FORGE_API_URL} and the git base URL), empty for none
     * @param env the server's environment: {@code DROVER_BRANCH_PATTERN}, {@code DROVER_COMMIT_AUTHOR}
     */
    public static DeliverySettings of(Optional<ForgeEndpoint> forge, Map<String, String> env) {
        String pattern = blankToNull(env.get("DROVER_BRANCH_PATTERN"));
        String author = blankToNull(env.get("DROVER_COMMIT_AUTHOR"));
        return new DeliverySettings(forge.map(f -> f.kind().name().toLowerCase(Locale.ROOT)).orElse(null),
                forge.map(f -> f.apiBase().toString()).orElse(null),
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

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
