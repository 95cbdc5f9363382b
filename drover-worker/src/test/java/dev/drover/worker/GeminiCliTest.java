package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class GeminiCliTest {
    private final GeminiCli cli = new GeminiCli();

    @Test
    void deltasBecomeOneMessageAndToolsBecomeActionsWithoutTheEchoedPrompt() {
        RecordedStream s = RecordedStream.of("gemini-success.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.outline()).containsExactly(
                "system:event:session_started",
                "assistant:text:I'll fix the typo.",
                "assistant:action:replace",
                "tool:action_result:replace completed",
                "assistant:action:run_shell_command",
                "tool:action_result:run_shell_command failed",
                "system:event:warning",
                "assistant:text:Fixed the typo: hello.txt now says hello.");
        Map<String, Object> failed = s.messages.get(5).content().getFirst();
        assertThat(failed).containsEntry("category", "command");
        assertThat((Map<String, Object>) failed.get("output")).containsEntry("error", "cat: notes.txt: No such file or directory");
        assertThat(s.messages.get(2).content().getFirst()).containsEntry("category", "files");
        assertThat(s.verdict).isEqualTo(new StreamParser.Verdict(true, "Fixed the typo: hello.txt now says hello.", null));
    }

    @Test
    void tokensAreRecordedPerModelFromTheResultsStats() {
        RecordedStream s = RecordedStream.of("gemini-success.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.usage).containsExactlyInAnyOrder(new RecordedStream.Usage("gemini-2.5-pro", 10300, 184),
                new RecordedStream.Usage("gemini-2.5-flash", 274, 26));
        RecordedStream totals = RecordedStream.ofText("""
                {"type":"init","timestamp":"2026-04-06T00:40:03.556Z","session_id":"d5c8","model":"gemini-2.5-flash"}
                {"type":"message","timestamp":"2026-04-06T00:40:06.497Z","role":"assistant","content":"Hello","delta":true}
                {"type":"result","timestamp":"2026-04-06T00:40:06.569Z","status":"success","stats":{"total_tokens":10574,"input_tokens":10364,"output_tokens":33,"duration_ms":3014}}
                """, cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(totals.usage).containsExactly(new RecordedStream.Usage("gemini-2.5-flash", 10364, 33));
        assertThat(totals.verdict.summary()).isEqualTo("Hello");
    }

    @Test
    void anErrorResultFailsWithItsMessage() {
        RecordedStream s = RecordedStream.of("gemini-quota.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.verdict.success()).isFalse();
        assertThat(s.verdict.error()).isEqualTo("You have exhausted your daily quota on this model.");
        assertThat(s.outline()).contains("system:event:error");
    }

    @Test
    void aStreamCutShortStillWritesTheTextItHadAndLeavesTheVerdictToTheExitStatus() {
        RecordedStream s = RecordedStream.ofText("""
                {"type":"message","timestamp":"t","role":"assistant","content":"Working on","delta":true}
                {"type":"message","timestamp":"t","role":"assistant","content":" it","delta":true}""",
                cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.outline()).containsExactly("assistant:text:Working on it");
        assertThat(s.verdict.success()).isNull();
    }

    @Test
    void theCommandLineApprovesEveryToolAndTheWorkspaceIsTrusted() {
        assertThat(cli.arguments(new CliAgent.Invocation("gemini-2.5-pro", true, true))).containsExactly(
                "--output-format", "stream-json", "--approval-mode", "yolo", "--model", "gemini-2.5-pro");
        assertThat(cli.environment(new CliAgent.Invocation(null, false, false)))
                .containsEntry("GEMINI_CLI_TRUST_WORKSPACE", "true");
    }
}
