package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The oz harness's file tools on a real directory: what they do, where they refuse to go, how much they say. */
class WorkspaceToolsTest {
    @TempDir
    Path tmp;
    Path workspace;
    Path outside;
    WorkspaceTools tools;

    @BeforeEach
    void setUp() throws Exception {
        workspace = Files.createDirectories(tmp.resolve("ws"));
        outside = Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(outside.resolve("key.txt"), "top secret");
        tools = new WorkspaceTools(workspace);
    }

    private String call(String tool, Map<String, Object> args) throws Exception {
        JsonNode json = Json.mapper().valueToTree(args);
        return tools.execute(tool, json);
    }

    @Test
    void editReplacesExactlyOneOccurrenceAndLeavesTheRestOfTheFileAlone() throws Exception {
        Files.writeString(workspace.resolve("a.txt"), "one\ntwo  \nthree\n");
        assertThat(call("edit_file", Map.of("path", "a.txt", "old_text", "two  \n", "new_text", "2\n")))
                .isEqualTo("edited a.txt: replaced 1 occurrence");
        assertThat(Files.readString(workspace.resolve("a.txt"))).isEqualTo("one\n2\nthree\n");
    }

    @Test
    void editFailsClearlyWhenTheTextIsMissingOrAmbiguousAndChangesNothing() throws Exception {
        Files.writeString(workspace.resolve("a.txt"), "x = 1\nx = 1\n");
        assertThatThrownBy(() -> call("edit_file", Map.of("path", "a.txt", "old_text", "y = 1", "new_text", "y = 2")))
                .isInstanceOf(WorkspaceTools.ToolFailure.class).hasMessageContaining("was not found in a.txt");
        assertThatThrownBy(() -> call("edit_file", Map.of("path", "a.txt", "old_text", "x = 1", "new_text", "x = 2")))
                .isInstanceOf(WorkspaceTools.ToolFailure.class).hasMessageContaining("occurs 2 times in a.txt");
        assertThat(Files.readString(workspace.resolve("a.txt"))).isEqualTo("x = 1\nx = 1\n");
        assertThat(call("edit_file", Map.of("path", "a.txt", "old_text", "x = 1", "new_text", "x = 2", "replace_all", true)))
                .isEqualTo("edited a.txt: replaced 2 occurrences");
        assertThat(Files.readString(workspace.resolve("a.txt"))).isEqualTo("x = 2\nx = 2\n");
        assertThatThrownBy(() -> call("edit_file", Map.of("path", "missing.txt", "old_text", "a", "new_text", "b")))
                .hasMessageContaining("missing.txt does not exist");
    }

    @Test
    void listShowsTheTreeInNameOrderSkippingGitAndIsBounded() throws Exception {
        Files.createDirectories(workspace.resolve("src/main"));
        Files.writeString(workspace.resolve("src/main/App.java"), "class App {}");
        Files.writeString(workspace.resolve("README.md"), "hi");
        Files.createDirectories(workspace.resolve(".git/objects"));
        Files.writeString(workspace.resolve(".git/HEAD"), "ref");
        assertThat(call("list_files", Map.of())).isEqualTo("README.md\nsrc/\nsrc/main/\nsrc/main/App.java");
        assertThat(call("list_files", Map.of("path", "src/main"))).isEqualTo("src/main/App.java");

        Path many = Files.createDirectories(workspace.resolve("many"));
        for (int i = 0; i < WorkspaceTools.MAX_LIST_ENTRIES + 20; i++) {
            Files.writeString(many.resolve(String.format("f%04d", i)), "");
        }
        String listing = call("list_files", Map.of("path", "many"));
        assertThat(listing.lines()).hasSize(WorkspaceTools.MAX_LIST_ENTRIES + 1);
        assertThat(listing).endsWith("[stopped after " + WorkspaceTools.MAX_LIST_ENTRIES + " entries; list a subdirectory]");
    }

    @Test
    void searchFindsMatchingLinesWithPathAndLineNumberFilteredByGlob() throws Exception {
        Files.createDirectories(workspace.resolve("src"));
        Files.writeString(workspace.resolve("src/A.java"), "class A {\n  // TODO fix\n}\n");
        Files.writeString(workspace.resolve("src/notes.md"), "todo: nothing\n");
        Files.write(workspace.resolve("src/blob.bin"), new byte[] {'T', 'O', 'D', 'O', 0, 1});
        assertThat(call("search_files", Map.of("pattern", "TODO"))).isEqualTo("src/A.java:2:   // TODO fix");
        assertThat(call("search_files", Map.of("pattern", "todo", "ignore_case", true)))
                .isEqualTo("src/A.java:2:   // TODO fix\nsrc/notes.md:1: todo: nothing");
        assertThat(call("search_files", Map.of("pattern", "todo", "ignore_case", true, "glob", "*.md")))
                .isEqualTo("src/notes.md:1: todo: nothing");
        assertThat(call("search_files", Map.of("pattern", "nowhere"))).isEqualTo("no matches for nowhere");
        assertThatThrownBy(() -> call("search_files", Map.of("pattern", "(unclosed")))
                .hasMessageContaining("not a valid regular expression");
    }

    @Test
    void searchStopsAfterItsMatchLimitAndCutsLongLines() throws Exception {
        Files.writeString(workspace.resolve("big.txt"), ("hit " + "x".repeat(1000) + "\n").repeat(WorkspaceTools.MAX_MATCHES + 50));
        String out = call("search_files", Map.of("pattern", "hit"));
        assertThat(out.lines().filter(l -> l.startsWith("big.txt:"))).hasSize(WorkspaceTools.MAX_MATCHES);
        assertThat(out.lines().findFirst().orElseThrow()).hasSizeLessThan(WorkspaceTools.MAX_LINE + 20);
        assertThat(out).endsWith("[stopped after " + WorkspaceTools.MAX_MATCHES + " matches; narrow the pattern, path or glob]");
    }

    @Test
    void readCapsLargeFilesAndRefusesBinaryOnes() throws Exception {
        Files.writeString(workspace.resolve("large.txt"), "y".repeat(WorkspaceTools.MAX_OUTPUT * 2));
        String out = call("read_file", Map.of("path", "large.txt"));
        assertThat(out).startsWith("yyy").contains("[truncated: the file has " + WorkspaceTools.MAX_OUTPUT * 2 + " bytes");
        assertThat(out.length()).isLessThan(WorkspaceTools.MAX_OUTPUT + 200);
        Files.write(workspace.resolve("img.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        assertThatThrownBy(() -> call("read_file", Map.of("path", "img.png"))).hasMessageContaining("binary file");
    }

    @Test
    void pathsThatLeaveTheWorkspaceAreRefusedByEveryTool() throws Exception {
        Files.writeString(workspace.resolve("ok.txt"), "fine");
        String escape = "../secret/key.txt";
        String absolute = outside.resolve("key.txt").toString();
        for (String path : new String[] {escape, absolute, "sub/../../secret/key.txt"}) {
            assertThatThrownBy(() -> call("read_file", Map.of("path", path))).as(path)
                    .hasMessageContaining("outside the workspace");
            assertThatThrownBy(() -> call("write_file", Map.of("path", path, "content", "x"))).as(path)
                    .hasMessageContaining("outside the workspace");
            assertThatThrownBy(() -> call("edit_file", Map.of("path", path, "old_text", "top", "new_text", "x"))).as(path)
                    .hasMessageContaining("outside the workspace");
        }
        assertThatThrownBy(() -> call("list_files", Map.of("path", ".."))).hasMessageContaining("outside the workspace");
        assertThatThrownBy(() -> call("search_files", Map.of("pattern", "secret", "path", "../secret")))
                .hasMessageContaining("outside the workspace");
        assertThat(Files.readString(outside.resolve("key.txt"))).isEqualTo("top secret");
        // an absolute path that stays inside is just a path
        assertThat(call("read_file", Map.of("path", workspace.resolve("ok.txt").toString()))).isEqualTo("fine");
    }

    @Test
    void symbolicLinksThatLeadOutOfTheWorkspaceAreNotFollowed() throws Exception {
        Files.createSymbolicLink(workspace.resolve("link.txt"), outside.resolve("key.txt"));
        Files.createSymbolicLink(workspace.resolve("linkdir"), outside);
        Files.createSymbolicLink(workspace.resolve("dangling.txt"), outside.resolve("new.txt"));
        assertThatThrownBy(() -> call("read_file", Map.of("path", "link.txt")))
                .hasMessageContaining("leads outside the workspace through a symbolic link");
        assertThatThrownBy(() -> call("write_file", Map.of("path", "linkdir/planted.txt", "content", "x")))
                .hasMessageContaining("leads outside the workspace through a symbolic link");
        assertThatThrownBy(() -> call("edit_file", Map.of("path", "link.txt", "old_text", "top", "new_text", "x")))
                .hasMessageContaining("leads outside the workspace");
        assertThatThrownBy(() -> call("write_file", Map.of("path", "dangling.txt", "content", "x")))
                .hasMessageContaining("broken symbolic link");
        assertThatThrownBy(() -> call("list_files", Map.of("path", "linkdir"))).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("planted.txt")).doesNotExist();
        assertThat(outside.resolve("new.txt")).doesNotExist();
        assertThat(Files.readString(outside.resolve("key.txt"))).isEqualTo("top secret");
        // walking the workspace shows links without entering them
        assertThat(call("list_files", Map.of())).contains("linkdir@").doesNotContain("key.txt");
        assertThat(call("search_files", Map.of("pattern", "secret"))).isEqualTo("no matches for secret");
    }

    @Test
    void writeCreatesParentDirectoriesAndSaysHowMuchItWrote() throws Exception {
        assertThat(call("write_file", Map.of("path", "a/b/c.txt", "content", "héllo")))
                .isEqualTo("wrote a/b/c.txt (6 bytes)");
        assertThat(Files.readString(workspace.resolve("a/b/c.txt"), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThatThrownBy(() -> call("write_file", Map.of("path", "a/b/c.txt"))).hasMessageContaining("content is required");
    }
}
