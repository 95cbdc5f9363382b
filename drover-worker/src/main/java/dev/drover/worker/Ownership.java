package dev.drover.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Gives a workspace to the unprivileged user agents run as: the worker (often root) clones and writes attachments,
 * the agent must be able to change them, and nothing else of the host is theirs.
 */
final class Ownership {
    private Ownership() {}

    static void give(Path dir, int uid, int gid) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                // never through a link: one planted by an agent would hand it a host file
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
