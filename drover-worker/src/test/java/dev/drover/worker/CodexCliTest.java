package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class CodexCliTest {
    private final CodexCli cli = new CodexCli();

    @Test
    void itemsBecomeActionsAndResultsAndTheAgentsMessagesText() {
        RecordedStream s = RecordedStream.of("codex-success.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.outline()).containsExactly(
                "system:event:session_started",
                "assistant:action:run_command",
                "tool:action_result:run_command completed",
                "assistant:action:run_command",
                "tool:action_result:run_command failed",
                "assistant:action:edit_files",
                "tool:action_result:edit_files completed",
                "assistant:text:Fixed the typo: hello.txt now says hello.");
        Map<String, Object> ran = s.messages.get(2).content().getFirst();
        assertThat(ran).containsEntry("action_id", "item_1").containsEntry("category", "command");
        assertThat((Map<String, Object>) ran.get("output")).containsEntry("exit_code", 0).containsEntry("output", "helo\n");
        Map<String, Object> edit = s.messages.get(5).content().getFirst();
        assertThat(((Map<String, Object>) edit.get("input")).get("changes"))
                .isEqualTo(List.of(Map.of("path", "/srv/drover/workspaces/run-3/hello.txt", "kind", "update")));
        assertThat(s.verdict).isEqualTo(new StreamParser.Verdict(true, "Fixed the typo: hello.txt now says hello.", null));
    }

    @Test
    void aTurnsUsageIsRecordedUnderTheRunsModelOrCodex() {
        assertThat(RecordedStream.of("codex-success.jsonl", cli.parser(new CliAgent.Invocation("gpt-5", true, false))).usage)
                .containsExactly(new RecordedStream.Usage("gpt-5", 24763, 122));
        assertThat(RecordedStream.of("codex-success.jsonl", cli.parser(new CliAgent.Invocation(null, true, false))).usage)
                .containsExactly(new RecordedStream.Usage("codex", 24763, 122));
    }

    @Test
    void aFailedTurnFailsWithItsMessage() {
        RecordedStream s = RecordedStream.of("codex-unauthorized.jsonl", cli.parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.verdict.success()).isFalse();
        assertThat(s.verdict.error()).startsWith("unexpected status 401 Unauthorized: Incorrect API key provided");
    }

    @Test
    void anErrorWithoutACompletedTurnIsAFailureButARetriedOneIsNot() {
        assertThat(RecordedStream.ofText("""
                {"type":"thread.started","thread_id":"t"}
                {"type":"error","message":"stream disconnected before completion"}
                """, cli.parser(new CliAgent.Invocation(null, true, false))).verdict.success()).isFalse();
        assertThat(RecordedStream.ofText("""
                {"type":"error","message":"Reconnecting... 1/5"}
                {"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"done"}}
                {"type":"turn.completed","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1}}
                """, cli.parser(new CliAgent.Invocation(null, true, false))).verdict.success()).isTrue();
    }

    @Test
    void theCommandLineReadsThePromptFromStandardInputAndUsesCodexsSandboxOnlyWithoutBubblewrap() {
        assertThat(cli.arguments(new CliAgent.Invocation("gpt-5", true, true))).containsExactly("exec", "--json",
                "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--model", "gpt-5", "-");
        assertThat(cli.arguments(new CliAgent.Invocation(null, false, false))).containsExactly("exec", "--json",
                "--skip-git-repo-check", "--sandbox", "workspace-write", "-");
    }
}
