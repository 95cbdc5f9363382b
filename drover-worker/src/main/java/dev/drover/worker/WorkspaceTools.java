package dev.drover.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * The built-in agent's file tools — read, write, edit, list and search — confined to the run's workspace. These
 * run in the worker's own process, outside the sandbox, so every path is checked: no {@code ..} or absolute path
 * out of the workspace, no symbolic link that leads out, and the last component is opened without following links.
 * Every answer is capped so one call cannot flood the model's context.
 */
final class WorkspaceTools {
    static final int MAX_OUTPUT = 64 * 1024;
    static final int MAX_LIST_ENTRIES = 500;
    static final int MAX_MATCHES = 200;
    static final int MAX_LINE = 300;
    /** Larger files are skipped by search (generated or data files, rarely what an agent greps for). */
    static final long MAX_SEARCHED_FILE = 2L * 1024 * 1024;
    /** Directories that list and search skip: version control and dependency caches. */
    static final Set<String> SKIPPED_DIRS = Set.of(".git", "node_modules", ".hg", ".svn");

    /** A tool call that cannot be carried out, with a message the model can act on. */
    static final class ToolFailure extends RuntimeException {
        ToolFailure(String message) {
            super(message);
        }
    }

    private final Path root;

    WorkspaceTools(Path workspace) {
        try {
            this.root = workspace.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final Set<String> NAMES = Set.of("read_file", "write_file", "edit_file", "list_files", "search_files");

    static List<ToolSpecification> specifications() {
        return List.of(
                ToolSpecification.builder().name("read_file").description("Read a text file of the workspace.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("path").required(List.of("path")).build()).build(),
                ToolSpecification.builder().name("write_file").description("Create or replace a text file of the workspace.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("path").addStringProperty("content")
                                .required(List.of("path", "content")).build()).build(),
                ToolSpecification.builder().name("edit_file").description("Replace an exact piece of text in a file of "
                                + "the workspace. old_text must occur exactly once (include enough surrounding lines to make it "
                                + "unique), unless replace_all is true.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("path").addStringProperty("old_text")
                                .addStringProperty("new_text").addBooleanProperty("replace_all")
                                .required(List.of("path", "old_text", "new_text")).build()).build(),
                ToolSpecification.builder().name("list_files").description("List the files under a directory of the "
                                + "workspace (default: the whole workspace), recursively, directories ending in /.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("path").build()).build(),
                ToolSpecification.builder().name("search_files").description("Search the text files of the workspace "
                                + "for a regular expression (Java syntax); answers path:line: text for each matching line. "
                                + "Optional: path (a directory or file to search), glob (e.g. *.java), ignore_case.")
                        .parameters(JsonObjectSchema.builder().addStringProperty("pattern").addStringProperty("path")
                                .addStringProperty("glob").addBooleanProperty("ignore_case")
                                .required(List.of("pattern")).build()).build());
    }

    /** Carries out one of {@link #NAMES}; a {@link ToolFailure} says why it could not. */
    String execute(String tool, JsonNode args) throws IOException {
        return switch (tool) {
            case "read_file" -> read(required(args, "path"));
            case "write_file" -> write(required(args, "path"), required(args, "content"));
            case "edit_file" -> edit(required(args, "path"), required(args, "old_text"), required(args, "new_text"),
                    args.path("replace_all").asBoolean(false));
            case "list_files" -> list(args.path("path").asText("."));
            case "search_files" -> search(required(args, "pattern"), args.path("path").asText("."),
                    args.hasNonNull("glob") ? args.path("glob").asText() : null, args.path("ignore_case").asBoolean(false));
            default -> throw new ToolFailure("unknown tool " + tool);
        };
    }

    private static String required(JsonNode args, String name) {
        JsonNode v = args.get(name);
        if (v == null || v.isNull()) {
            throw new ToolFailure(name + " is required");
        }
        return v.asText();
    }

    /**
     * An existing regular file: a FIFO or a device (an agent can make one with run_shell) would block or never end
     * a read in the worker itself, where cancel cannot reach.
     */
    private Path regularFile(String path) throws IOException {
        Path file = existing(path);
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ToolFailure(path + " is a directory; use list_files");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ToolFailure(path + " is not a regular file");
        }
        return file;
    }

    /** Files edit_file works on whole, in the worker's memory. */
    static final long MAX_EDITED_FILE = 8L * 1024 * 1024;

    String read(String path) throws IOException {
        Path file = regularFile(path);
        byte[] head;
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(MAX_OUTPUT);
        }
        if (binary(head)) {
            throw new ToolFailure(path + " is a binary file (" + size + " bytes)");
        }
        String text = new String(head, StandardCharsets.UTF_8);
        return size <= MAX_OUTPUT ? text
                : text + "\n[truncated: the file has " + size + " bytes; read the rest with run_shell, e.g. sed -n]";
    }

    String write(String path, String content) throws IOException {
        Path file = inside(path);
        Files.createDirectories(file.getParent());
        writeNoFollow(file, content);
        ownLikeTheWorkspace(file);
        return "wrote " + display(file) + " (" + content.getBytes(StandardCharsets.UTF_8).length + " bytes)";
    }

    /**
     * The worker writes as itself (often root); under isolation the workspace belongs to the agent's user, whose
     * shell must be able to change what the file tools wrote: new files and directories take the workspace's owner.
     */
    private void ownLikeTheWorkspace(Path file) throws IOException {
        Object uid = Files.getAttribute(root, "unix:uid");
        Object gid = Files.getAttribute(root, "unix:gid");
        for (Path p = file; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (!uid.equals(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    String edit(String path, String oldText, String newText, boolean replaceAll) throws IOException {
        if (oldText.isEmpty()) {
            throw new ToolFailure("old_text is empty; to create a file use write_file");
        }
        Path file = regularFile(path);
        if (Files.size(file) > MAX_EDITED_FILE) {
            throw new ToolFailure(path + " is larger than " + MAX_EDITED_FILE / (1024 * 1024) + " MiB; edit it with run_shell");
        }
        String text = decode(path, Files.readAllBytes(file));
        int count = 0;
        for (int i = text.indexOf(oldText); i >= 0; i = text.indexOf(oldText, i + oldText.length())) {
            count++;
        }
        if (count == 0) {
            throw new ToolFailure("old_text was not found in " + path + "; it must match the file exactly, "
                    + "whitespace included (read_file shows the current text)");
        }
        if (count > 1 && !replaceAll) {
            throw new ToolFailure("old_text occurs " + count + " times in " + path + "; include more surrounding text "
                    + "to make it unique, or set replace_all to replace every occurrence");
        }
        int at = text.indexOf(oldText);
        String edited = replaceAll ? text.replace(oldText, newText)
                : text.substring(0, at) + newText + text.substring(at + oldText.length());
        writeNoFollow(file, edited);
        return "edited " + display(file) + ": replaced " + count + (count == 1 ? " occurrence" : " occurrences");
    }

    String list(String path) throws IOException {
        Path dir = existing(path);
        if (!Files.isDirectory(dir)) {
            throw new ToolFailure(path + " is not a directory");
        }
        List<String> entries = new ArrayList<>();
        boolean complete = walk(dir, (p, isDir) -> {
            if (p.equals(dir)) {
                return true;
            }
            if (entries.size() == MAX_LIST_ENTRIES) {
                return false;
            }
            entries.add(display(p) + (isDir ? "/" : Files.isSymbolicLink(p) ? "@" : ""));
            return true;
        });
        if (entries.isEmpty()) {
            return display(dir) + " is empty";
        }
        String out = String.join("\n", entries);
        return complete ? out : out + "\n[stopped after " + MAX_LIST_ENTRIES + " entries; list a subdirectory]";
    }

    String search(String pattern, String path, String glob, boolean ignoreCase) throws IOException {
        Pattern regex;
        try {
            regex = Pattern.compile(pattern, ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        } catch (PatternSyntaxException e) {
            throw new ToolFailure("pattern is not a valid regular expression: " + e.getDescription());
        }
        PathMatcher matcher = glob == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + glob);
        Path start = existing(path);
        StringBuilder out = new StringBuilder();
        int[] matches = {0};
        boolean complete = walk(start, (file, isDir) -> {
            if (isDir || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            Path relative = root.relativize(file);
            if (matcher != null && !matcher.matches(relative) && !matcher.matches(file.getFileName())) {
                return true;
            }
            String text = searchable(file);
            if (text == null) {
                return true;
            }
            int lineNo = 0;
            for (String line : text.split("\n", -1)) {
                lineNo++;
                Matcher m = regex.matcher(line);
                if (!m.find()) {
                    continue;
                }
                if (matches[0] == MAX_MATCHES || out.length() > MAX_OUTPUT) {
                    return false;
                }
                matches[0]++;
                String shown = line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line;
                out.append(relative).append(':').append(lineNo).append(": ").append(shown).append('\n');
            }
            return true;
        });
        if (matches[0] == 0) {
            return "no matches for " + pattern;
        }
        return !complete ? out + "[stopped after " + matches[0] + " matches; narrow the pattern, path or glob]"
                : out.toString().stripTrailing();
    }

    /** A workspace path for {@code relative}; refused when it leaves the workspace, also through a link. */
    Path inside(String relative) {
        if (relative == null || relative.isBlank()) {
            throw new ToolFailure("path is required");
        }
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new ToolFailure("path " + relative + " is outside the workspace");
        }
        // the deepest part that exists decides where the path really leads
        Path existing = p;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing != null) {
            Path real;
            try {
                real = existing.toRealPath();
            } catch (IOException e) {
                throw new ToolFailure("path " + relative + " goes through a broken symbolic link");
            }
            if (!real.startsWith(root)) {
                throw new ToolFailure("path " + relative + " leads outside the workspace through a symbolic link");
            }
        }
        return p;
    }

    private Path existing(String relative) {
        Path p = inside(relative);
        if (!Files.exists(p)) {
            throw new ToolFailure(relative + " does not exist");
        }
        return p;
    }

    private String display(Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "." : r;
    }

    private static void writeNoFollow(Path file, String content) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private interface Visitor {
        /** False stops the walk. */
        boolean visit(Path path, boolean directory) throws IOException;
    }

    /** Walks in name order without following links, skipping version-control and dependency directories. */
    private static boolean walk(Path start, Visitor visitor) throws IOException {
        boolean directory = Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS);
        if (!visitor.visit(start, directory)) {
            return false;
        }
        if (!directory) {
            return true;
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(start)) {
            children = list.sorted().toList();
        } catch (IOException e) {
            return true; // an unreadable directory is skipped, not fatal
        }
        for (Path child : children) {
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)
                    && SKIPPED_DIRS.contains(child.getFileName().toString())) {
                continue;
            }
            if (!walk(child, visitor)) {
                return false;
            }
        }
        return true;
    }

    /** The text of a file worth searching, or null (too large, binary, not UTF-8). */
    private static String searchable(Path file) throws IOException {
        if (Files.size(file) > MAX_SEARCHED_FILE) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (binary(bytes)) {
            return null;
        }
        try {
            return strict(bytes);
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String decode(String path, byte[] bytes) {
        if (binary(bytes)) {
            throw new ToolFailure(path + " is a binary file");
        }
        try {
            return strict(bytes);
        } catch (CharacterCodingException e) {
            throw new ToolFailure(path + " is not UTF-8 text");
        }
    }

    private static String strict(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** A NUL byte in the first 8 KiB, as git and grep decide. */
    private static boolean binary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }
}
