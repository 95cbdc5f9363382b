package dev.drover.client;

import dev.drover.api.Problem;

/** The server answered with a problem document (or something that is not one, kept as the detail). */
public final class DroverApiException extends RuntimeException {
    private final int status;
    private final Problem problem;

    public DroverApiException(int status, Problem problem) {
        super(status + " " + (problem.detail() != null ? problem.detail() : problem.title()));
        this.status = status;
        this.problem = problem;
    }

    public int status() {
        return status;
    }

    public Problem problem() {
        return problem;
    }
}
