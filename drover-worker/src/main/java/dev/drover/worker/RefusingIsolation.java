package dev.drover.worker;

/**
 * What a worker has when no backend it may use holds: every run fails with the reason and how to fix it, rather
 * than running an agent unconfined that nobody chose to run so.
 */
final class RefusingIsolation implements Isolation {
    private final String reason;

    RefusingIsolation(String reason) {
        this.reason = reason;
    }

    @Override
    public String name() {
        return "unavailable";
    }

    String reason() {
        return reason;
    }

    @Override
    public Place open(Spec spec) throws Unavailable {
        throw new Unavailable(reason);
    }
}
