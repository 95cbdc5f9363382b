package dev.drover.cli;

import dev.drover.api.ConversationMessage;
import dev.drover.api.ConversationResponse;
import dev.drover.api.ConversationStep;
import dev.drover.client.DroverClient;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Prints a run's transcript as lines ({@code [role] text}, {@code → tool input}, {@code ← tool state},
 * {@code • event data}), and, for
 * {@code drover run --follow}, only what was added since the last call: the transcript is written by the worker
 * as the agent goes, so asking again shows the new messages.
 */
final class TranscriptPrinter {
    private final DroverClient api;
    private final String runId;
    private final PrintStream out;
    private int printed;

    TranscriptPrinter(DroverClient api, String runId, PrintStream out) {
        this.api = api;
        this.runId = runId;
        this.out = out;
    }

    /** Prints the messages of this run not printed yet (earlier runs of a continued conversation are skipped). */
    void printNew() {
        printThrough(null);
    }

    /**
     * Prints the messages not printed yet up to and including the one whose id is {@code lastMessageId} (the
     * {@code ref_id} of a {@code transcript_appended} event), all of them when it is null. Messages appended after
     * that event wait for their own, so the transcript and the other events come out in the log's one order.
     */
    void printThrough(String lastMessageId) {
        List<ConversationMessage> messages;
        try {
            messages = api.conversation(runId).steps().stream()
                    .filter(s -> runId.equals(s.id())).findFirst().map(ConversationStep::messages).orElse(List.of());
        } catch (dev.drover.client.DroverApiException e) {
            if (e.status() != 404) {
                throw e;
            }
            messages = List.of(); // the run has no transcript (yet): it never started
        }
        int end = messages.size();
        if (lastMessageId != null) {
            for (int i = printed; i < messages.size(); i++) {
                List<String> ids = messages.get(i).messageIds();
                if (ids != null && ids.contains(lastMessageId)) {
                    end = i + 1;
                    break;
                }
            }
        }
        for (ConversationMessage m : messages.subList(Math.min(printed, end), end)) {
            lines(m).forEach(out::println);
        }
        printed = Math.max(printed, end);
    }

    /** Every message of every step. */
    static void printAll(ConversationResponse c, PrintStream out) {
        c.steps().forEach(s -> s.messages().forEach(m -> lines(m).forEach(out::println)));
    }

    static List<String> lines(ConversationMessage m) {
        return m.content().stream().map(block -> "[" + m.role() + "] " + text(block).strip()).toList();
    }

    private static String text(Map<String, Object> block) {
        Object type = block.get("type");
        return "text".equals(type) ? String.valueOf(block.get("text"))
                : "action".equals(type) ? "→ " + block.get("name") + " " + block.get("input")
                : "action_result".equals(type) ? "← " + block.get("name") + " " + block.get("state")
                : "event".equals(type) ? "• " + block.get("name") + " " + block.get("data")
                : String.valueOf(block);
    }
}
