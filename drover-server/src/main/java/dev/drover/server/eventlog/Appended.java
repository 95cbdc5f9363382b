package dev.drover.server.eventlog;

import dev.drover.api.RunEvent;
import java.time.Instant;

/**
 * An event appended inside a transaction, whose sequence may be given only at the transaction's end: in a
 * group-commit batch on PostgreSQL the batch's events are numbered by one statement just before its commit
 * ({@link EventLog#appendAtCommit}). The caller of the write reads {@link #event()} once the write has returned
 * (committed); the work inside the transaction must not, as nothing in it may depend on a sequence.
 */
public final class Appended {
    private final String type;
    private final String runId;
    private final String refId;
    private final String executionId;
    private final Instant occurredAt;
    /** 0 until numbered; written before the commit by the batch's last statement, read after it. */
    private volatile long sequence;

    Appended(String type, String runId, String refId, String executionId, Instant occurredAt) {
        this.type = type;
        this.runId = runId;
        this.refId = refId;
        this.executionId = executionId;
        this.occurredAt = occurredAt;
    }

    /** An event read from the log or appended with its sequence known at once. */
    public static Appended of(RunEvent event) {
        Appended a = new Appended(event.eventType(), event.runId(), event.refId(), event.executionId(),
                event.occurredAt());
        a.sequence = event.sequence();
        return a;
    }

    void numbered(long sequence) {
        this.sequence = sequence;
    }

    String type() {
        return type;
    }

    String runId() {
        return runId;
    }

    String refId() {
        return refId;
    }

    String executionId() {
        return executionId;
    }

    Instant occurredAt() {
        return occurredAt;
    }

    /** The event as committed; only once the write holding it has returned. */
    public RunEvent event() {
        if (sequence == 0) {
            throw new IllegalStateException("the event's sequence is given when its transaction commits; read it after");
        }
        return new RunEvent(type, runId, refId, executionId, occurredAt, sequence);
    }
}
