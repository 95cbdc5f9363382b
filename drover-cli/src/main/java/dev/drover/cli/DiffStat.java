package dev.drover.cli;

import dev.drover.api.RepositoryDiff;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code drover runs diff --stat}: one repository's summary and its files' added and removed lines, as git prints them. */
final class DiffStat {
    private DiffStat() {}

    static String of(RepositoryDiff d) {
        StringBuilder out = new StringBuilder();
        out.append(d.repository()).append("  ").append(d.branch()).append("  ")
                .append(d.baseCommit(), 0, 8).append("..").append(d.headCommit(), 0, 8).append("  ")
                .append(d.pushed() ? "pushed" : "not pushed").append('\n');
        if (d.deliveryError() != null) {
            out.append("  ! ").append(d.deliveryError()).append('\n');
        }
        Map<String, int[]> files = files(d.diff());
        int width = files.keySet().stream().mapToInt(String::length).max().orElse(0);
        files.forEach((name, n) -> out.append(String.format(" %-" + width + "s | %s%n", name,
                n[2] == 1 ? "Bin" : (n[0] + n[1]) + " " + "+".repeat(Math.min(n[0], 40)) + "-".repeat(Math.min(n[1], 40)))));
        out.append(String.format(" %d file%s changed, %d insertion%s(+), %d deletion%s(-)%s%n", d.filesChanged(),
                d.filesChanged() == 1 ? "" : "s", d.insertions(), d.insertions() == 1 ? "" : "s", d.deletions(),
                d.deletions() == 1 ? "" : "s", d.truncated() ? " (the diff is cut at 5 MiB)" : ""));
        return out.toString();
    }

    /** Per file (its new name, or the old one when deleted): added lines, removed lines, binary (1). */
    static Map<String, int[]> files(String diff) {
        Map<String, int[]> files = new LinkedHashMap<>();
        int[] current = null;
        boolean inHunk = false;
        for (String line : diff.split("\n", -1)) {
            if (line.startsWith("diff --git ")) {
                int b = line.lastIndexOf(" b/");
                current = files.computeIfAbsent(b < 0 ? line.substring(11) : line.substring(b + 3), k -> new int[3]);
                inHunk = false;
            } else if (current == null) {
                continue;
            } else if (line.startsWith("@@")) {
                inHunk = true;
            } else if (inHunk && line.startsWith("+")) {
                current[0]++;
            } else if (inHunk && line.startsWith("-")) {
                current[1]++;
            } else if (!inHunk && line.startsWith("Binary files")) {
                current[2] = 1;
            }
        }
        return files;
    }
}
