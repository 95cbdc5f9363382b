package dev.drover.api;

import java.util.List;

/**
 * The environment of a claimed run, resolved by the server: each repository with the URL to clone it from (the
 * server's git base URL; credentials are the worker's own, never part of a claim), the setup commands in order,
 * and the {@code docker_image}, which is informational.
 */
public record RunEnvironment(String uid, String name, String dockerImage, List<Repository> repos,
        List<String> setupCommands) {

    /** {@code owner/repo}, cloned from {@code clone_url} into {@code <workspace>/<repo>}. */
    public record Repository(String owner, String repo, String cloneUrl) {}
}
