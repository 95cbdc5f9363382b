package dev.drover.api;

import java.util.List;

/**
 * What an environment is ({@code CloudEnvironmentConfig}): the repositories cloned into a run's workspace and
 * the shell commands run there, in order, before the agent starts. {@code docker_image} is recorded but not used
 * yet: runs execute on the worker's host (docs/workers.md). Also the body of {@code PUT /agent/environments/{uid}}.
 * {@code secrets} (a Drover extension) names managed secrets injected as environment variables of the same names
 * into the setup commands and the agent. {@code deliver_on_failure} (a Drover extension): also deliver the changes
 * of runs that end FAILED or BLOCKED, as draft pull requests (runs that end SUCCEEDED always are; a run's own
 * {@code config.deliver_on_failure} wins). {@code git_secret} (a Drover extension) names the managed secret the
 * runs' worker clones, pushes and opens pull requests with, in place of its own {@code DROVER_GIT_TOKEN}; it is never
 * given to the setup commands or the agent.
 */
public record CloudEnvironmentConfig(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
        List<String> setupCommands, List<String> secrets, Boolean deliverOnFailure,
        Integer failureSessionRetentionMinutes, String gitSecret) {

    public CloudEnvironmentConfig(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, List<String> secrets, Boolean deliverOnFailure,
            Integer failureSessionRetentionMinutes) {
        this(name, description, dockerImage, githubRepos, setupCommands, secrets, deliverOnFailure,
                failureSessionRetentionMinutes, null);
    }

    /**
     * Without the newer SDK's {@code failure_session_retention_minutes} (refused when set: docs/api.md).
     */
    public CloudEnvironmentConfig(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, List<String> secrets, Boolean deliverOnFailure) {
        this(name, description, dockerImage, githubRepos, setupCommands, secrets, deliverOnFailure, null, null);
    }

    public CloudEnvironmentConfig(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, List<String> secrets) {
        this(name, description, dockerImage, githubRepos, setupCommands, secrets, null, null, null);
    }

    public CloudEnvironmentConfig(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands) {
        this(name, description, dockerImage, githubRepos, setupCommands, null, null, null, null);
    }
}
