package dev.drover.worker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** A recorded CLI stream (a resource under streams/) read through the harness's reader into a recording sink. */
final class RecordedStream implements StreamParser.Sink {
    record Message(String role, List<Map<String, Object>> content) {}

    record Usage(String model, long in, long out) {}

    final List<Message> messages = new ArrayList<>();
    final List<Usage> usage = new ArrayList<>();
    final Deque<String> noise = new ArrayDeque<>();
    StreamParser.Verdict verdict;

    static RecordedStream of(String resource, StreamParser parser) {
        try (InputStream in = RecordedStream.class.getResourceAsStream("/streams/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no recorded stream " + resource);
            }
            return read(in, parser);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RecordedStream ofText(String text, StreamParser parser) {
        try {
            return read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), parser);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RecordedStream read(InputStream in, StreamParser parser) throws IOException {
        RecordedStream r = new RecordedStream();
        CliHarness.read(in, parser, r, r.noise);
        r.verdict = parser.verdict();
        return r;
    }

    @Override
    public void message(String role, List<Map<String, Object>> content) {
        if (!content.isEmpty()) {
            messages.add(new Message(role, content));
        }
    }

    @Override
    public void usage(String modelId, long inputTokens, long outputTokens) {
        usage.add(new Usage(modelId, inputTokens, outputTokens));
    }

    List<String> roles() {
        return messages.stream().map(Message::role).toList();
    }

    /** Each message's first block: its type, and for text its text, for actions and results their name. */
    List<String> outline() {
        return messages.stream().map(m -> {
            Map<String, Object> b = m.content().getFirst();
            Object what = switch ((String) b.get("type")) {
                case "text" -> b.get("text");
                case "action" -> b.get("name");
                case "action_result" -> b.get("name") + " " + b.get("state");
                default -> b.get("name");
            };
            return m.role() + ":" + b.get("type") + ":" + what;
        }).toList();
    }
}
