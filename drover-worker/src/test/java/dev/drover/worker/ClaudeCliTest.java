package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class ClaudeCliTest {
    private final ClaudeCli cli = new ClaudeCli();

    @Test
    void aSuccessfulStreamBecomesTheConversationInOrderWithoutTheModelsThinking() {
        RecordedStream s = RecordedStream.of("claude-success.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.outline()).containsExactly(
                "system:event:session_started",
                "assistant:text:I'll fix the typo in hello.txt.",
                "assistant:action:Edit",
                "tool:action_result:Edit completed",
                "assistant:action:Bash",
                "tool:action_result:Bash failed",
                "assistant:text:Fixed the typo: hello.txt now says hello.");
        Map<String, Object> edit = s.messages.get(2).content().getFirst();
        assertThat(edit).containsEntry("id", "toolu_01A2b3C4d5E6f7G8h9").containsEntry("category", "files");
        assertThat((Map<String, Object>) edit.get("input")).containsEntry("new_string", "hello");
        Map<String, Object> failed = s.messages.get(5).content().getFirst();
        assertThat(failed).containsEntry("action_id", "toolu_01Bash000000000000001").containsEntry("category", "command");
        assertThat((Map<String, Object>) failed.get("output")).containsEntry("output", "cat: notes.txt: No such file or directory");
        assertThat(s.messages.getFirst().content().getFirst().get("data").toString())
                .contains("9f3c1c2e-6a3b-4d0e-9a57-1f2f1a0c8d11").contains("claude-sonnet-4-5-20250929");
        assertThat(s.verdict).isEqualTo(new StreamParser.Verdict(true, "Fixed the typo: hello.txt now says hello.", null));
    }

    @Test
    void tokensAreRecordedOncePerModelWithCacheReadsUnderTheNamesTheModelsTablePrices() {
        RecordedStream s = RecordedStream.of("claude-success.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.usage).containsExactlyInAnyOrder(
                new RecordedStream.Usage("claude-sonnet-4-5", 12 + 39382 + 1825, 198),
                new RecordedStream.Usage("claude-haiku-4-5", 310, 24));
        assertThat(ClaudeCli.Parser.modelName("claude-opus-4-6[1m]")).isEqualTo("claude-opus-4-6");
    }

    @Test
    void anErrorResultFailsWithClaudesOwnMessage() {
        RecordedStream s = RecordedStream.of("claude-invalid-key.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.verdict.success()).isFalse();
        assertThat(s.verdict.error()).isEqualTo("Invalid API key · Please run /login");
        assertThat(s.usage).allMatch(u -> u.in() == 0 && u.out() == 0); // nothing spent, which the sink leaves out
    }

    @Test
    void aTurnLimitFailsSayingSoEvenWithoutAnErrorFlag() {
        RecordedStream s = RecordedStream.ofText("""
                {"type":"result","subtype":"error_max_turns","is_error":false,"num_turns":3,"session_id":"s","usage":{"input_tokens":10,"output_tokens":5}}
                """, cli.parser(new CliAgent.Invocation("claude-opus-4-1", true, false)));
        assertThat(s.verdict.success()).isFalse();
        assertThat(s.verdict.error()).contains("turn limit");
        assertThat(s.usage).containsExactly(new RecordedStream.Usage("claude-opus-4-1", 10, 5));
    }

    @Test
    void theCommandLineAsksForTheStreamAndTheModelAndBypassesPermissionsOnlyWhereClaudeMay() {
        assertThat(cli.arguments(new CliAgent.Invocation("claude-sonnet-4-5", true, true))).containsExactly("--print",
                "--output-format", "stream-json", "--verbose", "--permission-mode", "bypassPermissions", "--model",
                "claude-sonnet-4-5");
        assertThat(cli.environment(new CliAgent.Invocation(null, true, true))).containsEntry("IS_SANDBOX", "1");
        assertThat(cli.arguments(new CliAgent.Invocation(null, false, false))).contains("bypassPermissions")
                .doesNotContain("--model");
        assertThat(cli.environment(new CliAgent.Invocation(null, false, false))).isEmpty();
        // root without bubblewrap: Claude refuses to bypass permissions, and nothing confines it to claim otherwise
        assertThat(cli.arguments(new CliAgent.Invocation(null, false, true))).contains("acceptEdits");
        assertThat(cli.environment(new CliAgent.Invocation(null, false, true))).isEmpty();
        assertThat(cli.note(new CliAgent.Invocation(null, false, true))).contains("acceptEdits");
    }
}
