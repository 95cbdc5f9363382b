package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.Harness;
import org.junit.jupiter.api.Test;

/** A run's {@code harness.model_id} and {@code reasoning_level} reach its CLI as the CLI's own flags. */
class CliInvocationTest {

    private static AmbientAgentConfig config(String modelId, Harness harness) {
        return new AmbientAgentConfig(null, modelId, null, null, null, null, null, null, null, harness, null);
    }

    @Test
    void theHarnessModelIsTheClisModelBeforeTheConfigModel() {
        CliAgent.Invocation run = CliAgent.Invocation.of(config("gpt-4.1", new Harness("claude", null,
                "claude-opus-4-1", null)), true, false);
        assertThat(new ClaudeCli().arguments(run)).containsSequence("--model", "claude-opus-4-1")
                .doesNotContain("gpt-4.1");
        assertThat(new GeminiCli().arguments(CliAgent.Invocation.of(config(null, new Harness("gemini", null,
                "gemini-2.5-flash", null)), true, false))).containsSequence("--model", "gemini-2.5-flash");
    }

    @Test
    void withoutAHarnessModelTheConfigModelStillReachesTheCli() {
        CliAgent.Invocation run = CliAgent.Invocation.of(config("claude-sonnet-4-5", new Harness("claude")), true, false);
        assertThat(new ClaudeCli().arguments(run)).containsSequence("--model", "claude-sonnet-4-5");
        assertThat(new ClaudeCli().arguments(CliAgent.Invocation.of(null, true, false))).doesNotContain("--model");
    }

    @Test
    void codexReceivesTheReasoningLevelAsItsModelReasoningEffortSetting() {
        CliAgent.Invocation run = CliAgent.Invocation.of(config(null, new Harness("codex", null, "gpt-5-codex",
                "high")), true, true);
        assertThat(new CodexCli().arguments(run)).containsSequence("--model", "gpt-5-codex")
                .containsSequence("-c", "model_reasoning_effort=\"high\"").endsWith("-");
        assertThat(new CodexCli().arguments(CliAgent.Invocation.of(config(null, new Harness("codex")), true, true)))
                .doesNotContain("-c");
    }
}
