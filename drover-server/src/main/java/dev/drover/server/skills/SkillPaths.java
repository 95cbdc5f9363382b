package dev.drover.server.skills;

import java.util.List;
import java.util.Optional;

/**
 * Where skills live in a repository: {@code <folder>/skills/<name>/SKILL.md}, or deeper
 * ({@code <folder>/skills/<group>/<name>/SKILL.md}), for the conventional agent folders at the repository's root.
 * When one repository defines a skill name in several folders, the folder earliest in {@link #FOLDERS} wins.
 */
public final class SkillPaths {
    /** The agent folders, in precedence order. */
    public static final List<String> FOLDERS = List.of(".agents", ".warp", ".claude", ".codex", ".cursor", ".gemini",
            ".copilot", ".factory", ".github", ".opencode", ".kiro");
    static final String FILE = "SKILL.md";

    private SkillPaths() {}

    /** A skill file's place: its agent folder's precedence and the folder holding SKILL.md (the default name). */
    public record Location(String path, int precedence, String folderName) {}

    /** The location of {@code path} (relative to the repository root, {@code /}-separated) if it is a skill file. */
    public static Optional<Location> locate(String path) {
        String[] parts = path.split("/");
        // <folder> / skills / <name> [/ ...] / SKILL.md: at least four segments
        if (parts.length < 4 || !parts[parts.length - 1].equals(FILE) || !parts[1].equals("skills")) {
            return Optional.empty();
        }
        int precedence = FOLDERS.indexOf(parts[0]);
        if (precedence < 0) {
            return Optional.empty();
        }
        for (String p : parts) {
            if (p.isEmpty() || p.equals("..") || p.equals(".")) {
                return Optional.empty();
            }
        }
        return Optional.of(new Location(path, precedence, parts[parts.length - 2]));
    }

    /** Whether a directory may contain skill files (used to prune a tree walk). */
    public static boolean mayContain(String dirPath) {
        String[] parts = dirPath.split("/");
        if (!FOLDERS.contains(parts[0])) {
            return false;
        }
        return parts.length == 1 || parts[1].equals("skills");
    }
}
