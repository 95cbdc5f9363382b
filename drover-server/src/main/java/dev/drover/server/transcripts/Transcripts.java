package dev.drover.server.transcripts;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.drover.api.ConversationMessage;
import dev.drover.api.ConversationResponse;
import dev.drover.api.ConversationStep;
import dev.drover.api.RunEvent;
import dev.drover.api.TranscriptAppend;
import dev.drover.server.auth.Principal;
import dev.drover.server.eventlog.EventLog;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.RunLinks;
import dev.drover.server.runs.Runs;
import dev.drover.server.runs.WorkerReport;
import dev.drover.server.store.Database;
import dev.drover.server.store.Ids;
import dev.drover.server.store.JsonColumns;
import dev.drover.server.store.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Run transcripts in the spec's normalized shape (steps → messages → content blocks). Workers append messages
 * while the run executes; each append is one transaction with its {@code transcript_appended} event, so a live
 * follower that wakes on the event always finds the messages.
 */
public final class Transcripts {
    /** The {@code content_json} column: an entry's parts. */
    private static final TypeReference<List<Map<String, Object>>> ENTRY = new TypeReference<>() {};

    static final Set<String> ROLES = Set.of("user", "assistant", "tool", "system");
    static final Set<String> BLOCKS = Set.of("text", "action", "action_result", "event");
    static final int MAX_MESSAGES_PER_APPEND = 100;
    static final int MAX_APPEND_BYTES = 1024 * 1024;

    private final Database db;
    private final EventLog events;
    private final Runs runs;
    private final Clock clock;

    public Transcripts(Database db, EventLog events, Runs runs, Clock clock) {
        this.db = db;
        this.events = events;
        this.runs = runs;
        this.clock = clock;
    }

    /** Appends messages to a run held by {@code workerId}; returns the event that announces them. */
    public RunEvent append(String workerId, String runId, TranscriptAppend body) {
        return append(WorkerReport.of(workerId), runId, body);
    }

    /**
     * Appends as {@link #append(String, String, TranscriptAppend)}; a report the worker retries after it took effect
     * answers the first append's event again and adds nothing.
     */
    public RunEvent append(WorkerReport report, String runId, TranscriptAppend body) {
        List<TranscriptAppend.TranscriptMessage> messages = body.messages();
        if (messages == null || messages.isEmpty()) {
            throw ApiException.badRequest("messages", "at least one message is required");
        }
        if (messages.size() > MAX_MESSAGES_PER_APPEND) {
            throw ApiException.badRequest("messages", "at most " + MAX_MESSAGES_PER_APPEND + " per append");
        }
        List<String> contents = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < messages.size(); i++) {
            TranscriptAppend.TranscriptMessage m = messages.get(i);
            String f = "messages[" + i + "]";
            if (m == null || m.role() == null || !ROLES.contains(m.role())) {
                throw ApiException.badRequest(f + ".role", "one of assistant, system, tool, user");
            }
            if (m.content() == null || m.content().isEmpty()) {
                throw ApiException.badRequest(f + ".content", "at least one content block is required");
            }
            for (int j = 0; j < m.content().size(); j++) {
                Map<String, Object> block = m.content().get(j);
                Object type = block == null ? null : block.get("type");
                if (!(type instanceof String t) || !BLOCKS.contains(t)) {
                    throw ApiException.badRequest(f + ".content[" + j + "].type", "one of action, action_result, event, text");
                }
                if (t.equals("text") && !(block.get("text") instanceof String)) {
                    throw ApiException.badRequest(f + ".content[" + j + "].text", "a text block needs its text");
                }
            }
            String json = JsonColumns.write(m.content());
            bytes += json.getBytes(StandardCharsets.UTF_8).length;
            contents.add(json);
        }
        if (bytes > MAX_APPEND_BYTES) {
            throw ApiException.badRequest("messages", "an append is at most " + MAX_APPEND_BYTES + " bytes of content");
        }
        return db.write(h -> {
            Optional<String> earlier = report.replay(h, runId);
            if (earlier.isPresent()) {
                return JsonColumns.read(earlier.get(), RunEvent.class);
            }
            report.requireHolder(h, runId);
            Instant now = clock.instant();
            List<String> ids = messages.stream().map(m -> Ids.uuid()).toList();
            // ref_id names the last message appended, so a follower can print exactly the messages up to this event
            RunEvent event = events.append(h, runId, "transcript_appended", ids.getLast(), null, now);
            for (int i = 0; i < messages.size(); i++) {
                h.createUpdate("""
                                INSERT INTO transcript_entries (run_id, sequence, position, message_id, role, content_json, created_at)
                                VALUES (:r, :seq, :pos, :id, :role, :content, :now)""")
                        .bind("r", runId).bind("seq", event.sequence()).bind("pos", i).bind("id", ids.get(i))
                        .bind("role", messages.get(i).role()).bind("content", contents.get(i))
                        .bind("now", Times.micros(now)).execute();
            }
            report.remember(h, runId, JsonColumns.write(event), now);
            return event;
        });
    }

    /** The conversation of one run: a single step holding its transcript; 404 while it has none (the spec's answer). */
    public ConversationResponse ofRun(Principal caller, String runId) {
        Runs.RunView run = withTranscript(caller, runId);
        return new ConversationResponse(run.conversationId(), List.of(step(run.id())));
    }

    /**
     * The run, if the caller sees it and it has a transcript: a run nobody executed yet has none, and the spec answers
     * {@code 404 Run not found or has no transcript} for it (so a client polling for the transcript tells "not yet"
     * from "empty").
     */
    public Runs.RunView withTranscript(Principal caller, String runId) {
        Runs.RunView run = runs.view(caller, runId, "runId");
        boolean any = db.readOne(h -> h.createQuery(
                        "SELECT COUNT(*) FROM (SELECT 1 FROM transcript_entries WHERE run_id = :r LIMIT 1) t")
                .bind("r", run.id()).mapTo(Long.class).one() > 0);
        if (!any) {
            throw ApiException.notFound("runId", "transcript of run " + run.id() + " (it has none yet)");
        }
        return run;
    }

    /** The conversation of a run for a request already authorised otherwise (a signed URL). */
    public ConversationResponse ofRunUnchecked(String runId) {
        String conversation = db.readOne(h -> RunLinks.conversationOf(h, runId))
                .orElseThrow(() -> ApiException.notFound("runId", "run"));
        return new ConversationResponse(conversation, List.of(step(runId)));
    }

    /**
     * A claimed run's history, for the worker to put into the agent's context: the transcripts of {@code runIds}
     * (the earlier runs of the conversation, oldest first, and for a run continued by a follow-up, the run itself
     * last). Null when there are none.
     */
    public ConversationResponse history(String conversationId, List<String> runIds) {
        return runIds.isEmpty() ? null
                : new ConversationResponse(conversationId, runIds.stream().map(this::step).toList());
    }

    /** A whole conversation: one step per run that continued it, oldest first, limited to what the caller sees. */
    public ConversationResponse ofConversation(Principal caller, String conversationId) {
        List<String> ids = db.readOne(h -> RunLinks.ofConversation(h, conversationId));
        List<ConversationStep> steps = new ArrayList<>();
        for (String id : ids) {
            if (runs.canSee(caller, id)) {
                steps.add(step(id));
            }
        }
        if (steps.isEmpty()) {
            throw ApiException.notFound("conversation_id", "conversation");
        }
        return new ConversationResponse(conversationId, steps);
    }

    private ConversationStep step(String runId) {
        return db.readOne(h -> {
            String prompt = RunLinks.prompt(h, runId);
            List<ConversationMessage> messages = h.createQuery("""
                            SELECT message_id, role, content_json, created_at FROM transcript_entries
                            WHERE run_id = :r ORDER BY sequence, position""")
                    .bind("r", runId)
                    .map((rs, ctx) -> new ConversationMessage(List.of(rs.getString(1)), null, rs.getString(2),
                            Times.instant(rs.getLong(4)), JsonColumns.read(rs.getString(3), ENTRY)))
                    .list();
            Instant first = messages.isEmpty() ? null : messages.getFirst().timestamp();
            Instant last = messages.isEmpty() ? null : messages.getLast().timestamp();
            return new ConversationStep(runId, prompt, null, first, last, messages, List.of());
        });
    }
}
