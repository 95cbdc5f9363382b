package dev.drover.worker;

/** Agents run on the worker's host as the worker's user, unconfined: only when chosen explicitly. */
final class NoIsolation implements Isolation {
    static final String WARNING = "isolation: none — this run was NOT isolated: the agent ran on the worker's host as the "
            + "worker's user (the worker was started with --isolation none)";

    @Override
    public String name() {
        return "none";
    }

    @Override
    public Place open(Spec spec) {
        return new HostPlace("none", WARNING, spec.workspace(), command -> command, null);
    }
}
