package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliHarnessTest {
    @TempDir
    Path tmp;

    private CliHarness harness(Map<String, String> workerEnv) {
        return new CliHarness(new ClaudeCli(), new WorkerConfig("http://s/api/v1", "k", "w1", "default", 1, tmp,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(), workerEnv, null),
                new NoIsolation().open(new Isolation.Spec("run", tmp, null)), false);
    }

    private Path executable(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        return Files.writeString(Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x"))), "#!/bin/sh\n");
    }

    @Test
    void linesAreSplitAtNewlinesTheLastNeedsNoneAndARunawayLineIsCut() throws Exception {
        byte[] text = ("one\n\n" + "x".repeat(100) + "\nlast").getBytes(StandardCharsets.UTF_8);
        CliHarness.Lines lines = new CliHarness.Lines(new ByteArrayInputStream(text), 10);
        assertThat(lines.next()).isEqualTo("one");
        assertThat(lines.next()).isEmpty();
        assertThat(lines.next()).isEqualTo("x".repeat(10));
        assertThat(lines.next()).isEqualTo("last");
        assertThat(lines.next()).isNull();
    }

    @Test
    void whatIsNotAJsonObjectIsKeptAsNoiseNotParsed() {
        RecordedStream s = RecordedStream.ofText("""
                Warning: something the CLI printed
                {"type":"result","subtype":"success","is_error":false,"result":"ok"}
                [1,2]
                {"type": broken
                """, new ClaudeCli().parser(new CliAgent.Invocation(null, true, false)));
        assertThat(s.noise).containsExactly("Warning: something the CLI printed", "[1,2]", "{\"type\": broken");
        assertThat(s.verdict.summary()).isEqualTo("ok");
    }

    @Test
    void theCliIsFoundOnTheWorkersPathOrWhereItsVariableSays() throws Exception {
        Path bin = tmp.resolve("bin");
        Path claude = executable(bin, "claude");
        executable(tmp.resolve("other"), "codex");
        assertThat(harness(Map.of("PATH", tmp.resolve("other") + "::" + bin)).locate().executable()).isEqualTo(claude);

        Path elsewhere = executable(tmp.resolve("opt"), "claude-code");
        assertThat(harness(Map.of("PATH", bin.toString(), "DROVER_CLAUDE_PATH", elsewhere.toString())).locate()
                .executable()).isEqualTo(elsewhere);
    }

    @Test
    void aMissingCliIsExplainedWithHowToInstallIt() throws Exception {
        Files.writeString(Files.createDirectories(tmp.resolve("bin")).resolve("claude"), "not executable");
        CliHarness.Located none = harness(Map.of("PATH", tmp.resolve("bin").toString())).locate();
        assertThat(none.executable()).isNull();
        assertThat(none.problem()).isEqualTo("The claude harness needs the `claude` CLI on worker w1's PATH (or "
                + "DROVER_CLAUDE_PATH naming it); install it with npm install -g @anthropic-ai/claude-code");
        assertThat(harness(Map.of("DROVER_CLAUDE_PATH", "/nowhere/claude")).locate().problem())
                .contains("DROVER_CLAUDE_PATH=/nowhere/claude").contains("not an executable file");
    }

    @Test
    void theCliGetsItsOwnCredentialsAndSettingsOnlyAndItsDirectoryFirstOnThePath() throws Exception {
        Path claude = executable(tmp.resolve("bin"), "claude");
        Map<String, String> env = harness(Map.of("ANTHROPIC_API_KEY", "sk-ant", "ANTHROPIC_BASE_URL", "http://proxy",
                "OPENAI_API_KEY", "sk-openai", "GEMINI_API_KEY", "g", "DROVER_ADMIN_API_KEY", "admin"))
                .environment(Map.of("PATH", "/usr/bin:/bin", "HOME", "/ws"), claude, new CliAgent.Invocation(null, true, true));
        assertThat(env).containsEntry("ANTHROPIC_API_KEY", "sk-ant").containsEntry("ANTHROPIC_BASE_URL", "http://proxy")
                .containsEntry("PATH", tmp.resolve("bin") + ":/usr/bin:/bin").containsEntry("HOME", "/ws")
                .containsEntry("IS_SANDBOX", "1")
                .doesNotContainKeys("OPENAI_API_KEY", "GEMINI_API_KEY", "DROVER_ADMIN_API_KEY");
    }
}
