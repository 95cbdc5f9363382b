package dev.drover.server.skills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;

/**
 * Bare mirrors of the repositories skills are read from, in {@code <data>/git-mirrors/<owner>/<repo>.git}: cloned
 * once, fetched when asked, read without a checkout. A first clone goes to a temporary directory and is moved into
 * place whole, so a crash never leaves a half-cloned mirror behind. One fetch per repository at a time.
 */
final class RepoMirrors {
    static final int MAX_SKILL_BYTES = 256 * 1024;
    /** Seconds a git transfer may stall before it is given up (a hung host must not hold a fetch slot for ever). */
    static final int TIMEOUT_SECONDS = 60;

    private final Path root;
    private final BiFunction<String, String, String> cloneUrl;
    private final String token;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    /** @param token an https token for private repositories (sent as the password, never stored in the mirror) */
    RepoMirrors(Path root, BiFunction<String, String, String> cloneUrl, String token) {
        this.root = root;
        this.cloneUrl = cloneUrl;
        this.token = token == null || token.isBlank() ? null : token;
    }

    /** The repository cannot be cloned: it does not exist at the git source, or the source refused us. */
    static final class RepoUnavailable extends Exception {
        RepoUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A file of the repository's default branch. */
    record RepoFile(String path, String text) {}

    /** Clones or fetches {@code owner/repo}. */
    void update(String owner, String repo) throws RepoUnavailable {
        synchronized (locks.computeIfAbsent(owner + "/" + repo, k -> new Object())) {
            Path dir = dir(owner, repo);
            try {
                if (Files.isDirectory(dir)) {
                    try (Git git = Git.open(dir.toFile())) {
                        var fetch = git.fetch().setRemote(cloneUrl.apply(owner, repo))
                                .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*")).setRemoveDeletedRefs(true)
                                .setTimeout(TIMEOUT_SECONDS);
                        if (token != null) {
                            fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", token));
                        }
                        fetch.call();
                    }
                    return;
                }
                Files.createDirectories(dir.getParent());
                Path temp = Files.createTempDirectory(dir.getParent(), repo + ".clone-");
                try {
                    var clone = Git.cloneRepository().setURI(cloneUrl.apply(owner, repo)).setDirectory(temp.toFile())
                            .setBare(true).setTimeout(TIMEOUT_SECONDS);
                    if (token != null) {
                        clone.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", token));
                    }
                    clone.call().close();
                    try {
                        Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
                    } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                        // another node sharing the data directory cloned it first: theirs serves as well
                    }
                } finally {
                    deleteTree(temp);
                }
            } catch (GitAPIException | org.eclipse.jgit.api.errors.JGitInternalException e) {
                throw new RepoUnavailable(owner + "/" + repo + " cannot be read from its git source: "
                        + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the mirror of " + owner + "/" + repo, e);
            }
        }
    }

    boolean exists(String owner, String repo) {
        return Files.isDirectory(dir(owner, repo));
    }

    /** Every skill file on the default branch (HEAD) of the mirror; none for an empty repository. */
    List<RepoFile> skillFiles(String owner, String repo) {
        List<RepoFile> files = new ArrayList<>();
        try (Repository r = new FileRepositoryBuilder().setGitDir(dir(owner, repo).toFile()).setMustExist(true).build();
                RevWalk commits = new RevWalk(r);
                TreeWalk walk = new TreeWalk(r)) {
            ObjectId head = r.resolve(Constants.HEAD);
            if (head == null) {
                return files;
            }
            walk.addTree(commits.parseCommit(head).getTree());
            walk.setFilter(PathFilterGroup.createFromStrings(SkillPaths.FOLDERS));
            walk.setRecursive(false);
            while (walk.next()) {
                String path = walk.getPathString();
                if (walk.isSubtree()) {
                    if (SkillPaths.mayContain(path)) {
                        walk.enterSubtree();
                    }
                    continue;
                }
                // regular files only: a link's blob is its target's path, a submodule has no blob here
                FileMode mode = walk.getFileMode(0);
                if (SkillPaths.locate(path).isEmpty()
                        || !(mode.equals(FileMode.REGULAR_FILE) || mode.equals(FileMode.EXECUTABLE_FILE))) {
                    continue;
                }
                ObjectLoader blob = r.open(walk.getObjectId(0));
                if (blob.getSize() > MAX_SKILL_BYTES) {
                    files.add(new RepoFile(path, null));
                    continue;
                }
                files.add(new RepoFile(path, new String(blob.getBytes(), java.nio.charset.StandardCharsets.UTF_8)));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the mirror of " + owner + "/" + repo, e);
        }
    }

    private Path dir(String owner, String repo) {
        return root.resolve(owner).resolve(repo + ".git");
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
