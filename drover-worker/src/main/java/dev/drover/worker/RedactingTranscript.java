package dev.drover.worker;

import dev.drover.api.Redactor;
import java.util.List;
import java.util.Map;

/**
 * The transcript as the run's secrets leave it: every string of every message (text, tool input and output, event
 * data) has the secrets' values replaced by {@code [redacted:NAME]} before it is sent to the server. A long text is
 * redacted whole before it is cut into messages, so a cut never splits a value.
 */
final class RedactingTranscript implements TranscriptWriter {
    private final TranscriptWriter out;
    private final Redactor redactor;

    RedactingTranscript(TranscriptWriter out, Redactor redactor) {
        this.out = out;
        this.redactor = redactor;
    }

    @Override
    public void append(String role, List<Map<String, Object>> content) {
        out.append(role, redactor.redactTree(content));
    }

    @Override
    public void text(String role, String text) {
        TranscriptWriter.super.text(role, redactor.redact(text));
    }
}
