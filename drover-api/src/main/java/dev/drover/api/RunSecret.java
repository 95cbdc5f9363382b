package dev.drover.api;

/**
 * A secret handed to the worker holding a run's lease, in its claim only. {@code use} is {@code environment} (an
 * environment variable named {@code name} in the run's setup commands and agent) or {@code harness_auth} (the CLI
 * harness's credential, put in the variable that CLI reads) or {@code git} (the run's git credential: the worker
 * clones, pushes and opens pull requests with it, and gives it to no process of the run).
 */
public record RunSecret(String name, String value, String use) {
    public static final String ENVIRONMENT = "environment";
    public static final String HARNESS_AUTH = "harness_auth";
    public static final String GIT = "git";

    @Override
    public String toString() {
        return "RunSecret[" + name + ", " + use + "]"; // never the value: claims may be logged while debugging
    }
}
