package dev.drover.server.environments;

import dev.drover.api.CloudEnvironmentConfig;
import dev.drover.api.GitHubRepo;
import dev.drover.server.http.ApiException;
import dev.drover.server.secrets.Secrets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a {@link CloudEnvironmentConfig} field by field; every refusal names the field it is about. */
final class EnvironmentRequests {
    static final int MAX_NAME_CHARS = 256;
    static final int MAX_DESCRIPTION_CHARS = 4096;
    static final int MAX_IMAGE_CHARS = 512;
    static final int MAX_REPOS = 32;
    static final int MAX_SETUP_COMMANDS = 64;
    static final int MAX_COMMAND_CHARS = 8192;
    static final int MAX_SECRETS = 64;
    /** GitHub's own rules: owners are letters, digits and inner hyphens (at most 39); repos letters, digits, {@code ._-}. */
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern IMAGE = Pattern.compile("\\S+");

    private EnvironmentRequests() {}

    static void validate(CloudEnvironmentConfig c) {
        if (c.name() == null || c.name().isBlank()) {
            throw ApiException.badRequest("name", "is required");
        }
        text("name", c.name(), MAX_NAME_CHARS);
        text("description", c.description(), MAX_DESCRIPTION_CHARS);
        text("docker_image", c.dockerImage(), MAX_IMAGE_CHARS);
        if (c.dockerImage() != null && !IMAGE.matcher(c.dockerImage()).matches()) {
            throw ApiException.badRequest("docker_image", "an image reference such as ubuntu:24.04, without spaces");
        }
        List<GitHubRepo> repos = c.githubRepos() == null ? List.of() : c.githubRepos();
        if (repos.size() > MAX_REPOS) {
            throw ApiException.badRequest("github_repos", "at most " + MAX_REPOS + " repositories");
        }
        // each repository is cloned into <workspace>/<repo>: two of the same name would collide
        Map<String, Integer> dirs = new HashMap<>();
        for (int i = 0; i < repos.size(); i++) {
            String f = "github_repos[" + i + "]";
            GitHubRepo r = repos.get(i);
            if (r == null) {
                throw ApiException.badRequest(f, "must be an object with owner and repo");
            }
            if (r.owner() == null || !OWNER.matcher(r.owner()).matches()) {
                throw ApiException.badRequest(f + ".owner", "1 to 39 letters, digits or inner hyphens");
            }
            if (r.repo() == null || !REPO.matcher(r.repo()).matches() || r.repo().equals(".") || r.repo().equals("..")) {
                throw ApiException.badRequest(f + ".repo", "1 to 100 letters, digits, '.', '_' or '-' (not . or ..)");
            }
            if (r.repo().equals(".drover")) {
                throw ApiException.badRequest(f + ".repo", ".drover is the workspace directory of Drover's own files");
            }
            Integer earlier = dirs.put(r.repo().toLowerCase(Locale.ROOT), i);
            if (earlier != null) {
                throw ApiException.badRequest(f + ".repo", "github_repos[" + earlier + "] has the same name; both "
                        + "would be cloned into the workspace directory " + r.repo());
            }
        }
        List<String> secrets = c.secrets() == null ? List.of() : c.secrets();
        if (secrets.size() > MAX_SECRETS) {
            throw ApiException.badRequest("secrets", "at most " + MAX_SECRETS + " secrets");
        }
        for (int i = 0; i < secrets.size(); i++) {
            // only the name's form here: a team environment may name a secret created later; runs check existence
            Secrets.name("secrets[" + i + "]", secrets.get(i));
            if (secrets.subList(0, i).contains(secrets.get(i))) {
                throw ApiException.badRequest("secrets[" + i + "]", secrets.get(i) + " is named twice");
            }
        }
        if (c.gitSecret() != null) {
            // the form only, like secrets: the secret's existence in the environment's scope is checked per run
            Secrets.name("git_secret", c.gitSecret());
        }
        List<String> commands = c.setupCommands() == null ? List.of() : c.setupCommands();
        if (commands.size() > MAX_SETUP_COMMANDS) {
            throw ApiException.badRequest("setup_commands", "at most " + MAX_SETUP_COMMANDS + " commands");
        }
        for (int i = 0; i < commands.size(); i++) {
            String f = "setup_commands[" + i + "]";
            if (commands.get(i) == null || commands.get(i).isBlank()) {
                throw ApiException.badRequest(f, "must be a non-empty shell command");
            }
            text(f, commands.get(i), MAX_COMMAND_CHARS);
        }
    }

    private static void text(String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.codePointCount(0, value.length()) > max) {
            throw ApiException.badRequest(field, "must be at most " + max + " characters");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest(field, "must not contain the NUL character (\\u0000)");
        }
    }

    /** Whether {@code uid} can be an environment's: 22 characters of {@code [A-Za-z0-9]}. */
    static boolean isUid(String uid) {
        return uid != null && uid.length() == Environments.UID_LENGTH && uid.chars().allMatch(ch ->
                (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'));
    }
}
