package dev.drover.api;

import java.util.List;

/**
 * Body of {@code POST /agent/environments} (a Drover extension; the spec only lists environments): the
 * {@link CloudEnvironmentConfig} fields plus {@code team}, which chooses the scope as it does for runs (team-owned
 * by default when the caller is in exactly one team or is a service account, personal otherwise).
 */
public record CreateEnvironmentRequest(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
        List<String> setupCommands, Boolean team, List<String> secrets, Boolean deliverOnFailure,
        Integer failureSessionRetentionMinutes, String gitSecret) {

    public CreateEnvironmentRequest(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, Boolean team, List<String> secrets, Boolean deliverOnFailure,
            Integer failureSessionRetentionMinutes) {
        this(name, description, dockerImage, githubRepos, setupCommands, team, secrets, deliverOnFailure,
                failureSessionRetentionMinutes, null);
    }

    public CreateEnvironmentRequest(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, Boolean team, List<String> secrets, Boolean deliverOnFailure) {
        this(name, description, dockerImage, githubRepos, setupCommands, team, secrets, deliverOnFailure, null);
    }

    public CreateEnvironmentRequest(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, Boolean team, List<String> secrets) {
        this(name, description, dockerImage, githubRepos, setupCommands, team, secrets, null, null);
    }

    public CreateEnvironmentRequest(String name, String description, String dockerImage, List<GitHubRepo> githubRepos,
            List<String> setupCommands, Boolean team) {
        this(name, description, dockerImage, githubRepos, setupCommands, team, null, null, null);
    }

    public CloudEnvironmentConfig config() {
        return new CloudEnvironmentConfig(name, description, dockerImage, githubRepos, setupCommands, secrets,
                deliverOnFailure, failureSessionRetentionMinutes, gitSecret);
    }
}
