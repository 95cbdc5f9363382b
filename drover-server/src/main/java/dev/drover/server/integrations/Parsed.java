package dev.drover.server.integrations;

/** What a forge event means to Drover: a run to start, or nothing, and why. */
sealed interface Parsed {
    record Start(Trigger trigger) implements Parsed {}

    record Ignored(String reason) implements Parsed {}

    static Parsed ignored(String reason) {
        return new Ignored(reason);
    }
}
