package dev.drover.worker;

/** Runs an agent for one run in its prepared workspace and says how it ended. */
public interface Harness {
    Outcome run(RunContext context) throws Exception;
}
