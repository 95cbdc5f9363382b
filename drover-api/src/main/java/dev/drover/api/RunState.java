package dev.drover.api;

/** Lifecycle state of a run, as in the spec's {@code RunState}. */
public enum RunState {
    QUEUED, PENDING, CLAIMED, INPROGRESS, SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED;

    public boolean isTerminal() {
        return switch (this) {
            case SUCCEEDED, FAILED, BLOCKED, ERROR, CANCELLED -> true;
            default -> false;
        };
    }
}
