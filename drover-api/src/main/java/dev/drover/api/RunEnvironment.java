package dev.drover.api;

import java.util.List;

/**
 * The environment of a claimed run, resolved by the server: each repository with the URL to clone it from (the
 * server's git base URL; credentials are the worker's own, never part of a claim), the setup commands in order,
 * the {@code docker_image}, and the names of the secrets the environment injects (their values travel in the
 * claim's {@code secrets}).
 */
public record RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
        List<String> setupCommands, List<String> secrets) {

    public RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
            List<String> setupCommands) {
        this(uid, name, dockerImage, repos, setupCommands, List.of());
    }

    /** {@code owner/repo}, cloned from {@code clone_url} into {@code <workspace>/<repo>}. */
    public record Repository(String owner, String repo, String cloneUrl) {}
}
