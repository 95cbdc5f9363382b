package dev.drover.api;

import java.util.List;

/**
 * The environment of a claimed run, resolved by the server: each repository with the URL to clone it from (the
 * server's git base URL; credentials are the worker's own, never part of a claim), the setup commands in order,
 * the {@code docker_image}, and the names of the secrets the environment injects (their values travel in the
 * claim's {@code secrets}). {@code deliver_on_failure} (a Drover extension) asks for FAILED and BLOCKED runs'
 * changes to be delivered too, as draft pull requests. {@code git_secret} (a Drover extension) names the secret
 * the worker clones, pushes and opens pull requests with instead of its own token; its value travels in the claim's
 * {@code secrets} with the use {@code git}.
 */
public record RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
        List<String> setupCommands, List<String> secrets, Boolean deliverOnFailure, String gitSecret) {

    public RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
            List<String> setupCommands, List<String> secrets, Boolean deliverOnFailure) {
        this(uid, name, dockerImage, repos, setupCommands, secrets, deliverOnFailure, null);
    }

    public RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
            List<String> setupCommands, List<String> secrets) {
        this(uid, name, dockerImage, repos, setupCommands, secrets, null, null);
    }

    public RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
            List<String> setupCommands) {
        this(uid, name, dockerImage, repos, setupCommands, List.of(), null, null);
    }

    /**
     * {@code owner/repo}, cloned from {@code clone_url} into {@code <workspace>/<repo>}; a run's changes are pushed
     * to {@code push_url} (the same source) and proposed through the forge {@code forge} ({@code github},
     * {@code gitlab}, {@code gitea}, or null for none) whose REST API is at {@code forge_api_url}.
     */
    public record Repository(String owner, String repo, String cloneUrl, String pushUrl, String forge,
            String forgeApiUrl) {
        public Repository(String owner, String repo, String cloneUrl) {
            this(owner, repo, cloneUrl, cloneUrl, null, null);
        }

        public String fullName() {
            return owner + "/" + repo;
        }
    }
}
