package dev.drover.forge;

import java.util.regex.Pattern;

/**
 * Owner and repository names as the forges allow them, checked before they become path segments: no {@code /} beyond
 * GitLab's namespaces, no {@code ..}, no {@code ?} or {@code %}: nothing that could point a request elsewhere.
 */
final class RepoNames {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private RepoNames() {}

    static void check(String owner, String repo, boolean nestedOwner) {
        if (owner == null || owner.isEmpty()) {
            throw new IllegalArgumentException("owner is missing");
        }
        for (String part : nestedOwner ? owner.split("/", -1) : new String[] {owner}) {
            segment("owner", owner, part);
        }
        segment("repo", repo, repo);
    }

    static void number(long number) {
        if (number <= 0) {
            throw new IllegalArgumentException("issue or pull request number must be positive, not " + number);
        }
    }

    static void branch(String branch) {
        if (branch == null || branch.isBlank()) {
            throw new IllegalArgumentException("head branch is missing");
        }
    }

    static void body(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("a comment needs a body");
        }
    }

    private static void segment(String what, String whole, String part) {
        if (part == null || !SEGMENT.matcher(part).matches() || part.equals(".") || part.equals("..")) {
            throw new IllegalArgumentException(what + " '" + whole + "' is not a valid name: letters, digits, '.', '-' and '_' only");
        }
    }
}
