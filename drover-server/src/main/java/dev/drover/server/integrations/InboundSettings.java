package dev.drover.server.integrations;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How repository events start runs, from the server's environment (see the README's configuration table).
 *
 * @param githubSecret {@code DROVER_GITHUB_WEBHOOK_SECRET}; null: the GitHub endpoint does not exist (404)
 * @param gitlabToken {@code DROVER_GITLAB_WEBHOOK_TOKEN}; null: the GitLab endpoint does not exist (404)
 * @param mention the handle a comment must mention, with its {@code @} ({@code DROVER_MENTION}, default {@code @drover})
 * @param label the label whose addition to an issue starts a run ({@code DROVER_TRIGGER_LABEL}, default {@code drover})
 * @param githubAssociations the {@code author_association} values a GitHub commenter must have (upper case)
 * @param gitlabUsers the GitLab usernames (lower case) allowed to trigger; {@code *} allows every user; empty: nobody
 * @param retryBase the wait after a first failed comment; it doubles with every further failure
 * @param retryMax the longest wait between two attempts at a comment
 * @param maxAttempts attempts at a comment before it is given up (and a {@code forge_comment_failed} event recorded)
 * @param interval how often each node looks for runs that ended and comments that are due
 */
public record InboundSettings(String githubSecret, String gitlabToken, String mention, String label,
        Set<String> githubAssociations, Set<String> gitlabUsers, Duration retryBase, Duration retryMax,
        int maxAttempts, Duration interval) {

    public static final Set<String> DEFAULT_ASSOCIATIONS = Set.of("OWNER", "MEMBER", "COLLABORATOR");

    /** The largest webhook body read; an issue and a comment are at most 65,536 characters each on GitHub. */
    public static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

    public InboundSettings {
        githubAssociations = Set.copyOf(githubAssociations);
        gitlabUsers = Set.copyOf(gitlabUsers);
    }

    public static InboundSettings fromEnv(Map<String, String> env) {
        String mention = blankToNull(env.get("DROVER_MENTION"));
        mention = mention == null ? "@drover" : mention.strip();
        if (!mention.startsWith("@")) {
            mention = "@" + mention;
        }
        if (!mention.substring(1).matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}")) {
            throw new IllegalArgumentException("DROVER_MENTION: a handle such as @drover, not " + env.get("DROVER_MENTION"));
        }
        String label = blankToNull(env.get("DROVER_TRIGGER_LABEL"));
        String associations = blankToNull(env.get("DROVER_GITHUB_TRIGGER_ASSOCIATIONS"));
        return new InboundSettings(
                blankToNull(env.get("DROVER_GITHUB_WEBHOOK_SECRET")),
                blankToNull(env.get("DROVER_GITLAB_WEBHOOK_TOKEN")),
                mention,
                label == null ? "drover" : label.strip(),
                associations == null ? DEFAULT_ASSOCIATIONS : list(associations, true),
                list(env.getOrDefault("DROVER_GITLAB_TRIGGER_USERS", ""), false),
                Duration.ofMillis(number(env, "DROVER_FORGE_COMMENT_RETRY_BASE_MS", 5_000)),
                Duration.ofMillis(number(env, "DROVER_FORGE_COMMENT_RETRY_MAX_MS", 600_000)),
                (int) number(env, "DROVER_FORGE_COMMENT_MAX_ATTEMPTS", 8),
                Duration.ofMillis(number(env, "DROVER_FORGE_COMMENT_INTERVAL_MS", 1_000)));
    }

    /**
     * How long a node holds a claimed comment before another may try it: longer than a forge call can take (the
     * forge client's own timeouts), so a live node's attempt is never repeated by another.
     */
    public Duration lease() {
        return Duration.ofMinutes(2);
    }

    public boolean gitlabUserMayTrigger(String username) {
        return gitlabUsers.contains("*") || (username != null && gitlabUsers.contains(username.toLowerCase(Locale.ROOT)));
    }

    private static Set<String> list(String raw, boolean upper) {
        return Arrays.stream(raw.split(","))
                .map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> upper ? s.toUpperCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.strip());
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": must be a whole number from 1, not " + raw);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Without the secrets: settings end up in log lines sooner or later. */
    @Override
    public String toString() {
        return "InboundSettings[github=" + (githubSecret != null) + ", gitlab=" + (gitlabToken != null) + ", mention="
                + mention + ", label=" + label + ", githubAssociations=" + githubAssociations + ", gitlabUsers="
                + gitlabUsers + "]";
    }
}
