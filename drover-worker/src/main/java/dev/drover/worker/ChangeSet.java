package dev.drover.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.WorkingTreeOptions;
import org.eclipse.jgit.util.FS;

/**
 * A run's changes to one repository, made into a commit in the worker's private copy of the repository.
 *
 * <p>The agent owns every byte of its checkout, {@code .git} included, so nothing here opens that {@code .git}: the
 * files of the checkout are read as plain files (never following a link: a link is committed as a link) and written
 * as objects into the private repository the worker cloned before the agent started, with the cloned commit as the
 * parent. Objects and the commit are written directly (no porcelain command), so no hook, filter or configuration of
 * the agent's making is ever run or read; only the checkout's {@code .gitignore} files are honoured, as
 * {@code git add -A} would (they decide what is left out, nothing more).
 */
final class ChangeSet {
    /** The most diff text kept for one repository (the server's limit too). */
    static final int MAX_DIFF_BYTES = 5 * 1024 * 1024;

    /**
     * The largest file committed (GitHub refuses bigger ones): a bigger new file is left out, a bigger changed one
     * keeps its cloned content, and both are listed in {@link Commit#oversized()}. It also bounds what a hostile
     * checkout (a sparse file of terabytes) makes the worker read.
     */
    static final long MAX_FILE_BYTES = 100L * 1024 * 1024;

    /**
     * A commit made of the checkout's changes, and its diff against the cloned commit; {@code oversized} are the
     * paths whose changes were not committed for their size.
     */
    record Commit(ObjectId base, ObjectId head, int filesChanged, int insertions, int deletions, String diff,
            boolean truncated, List<String> oversized) {}

    private ChangeSet() {}

    /**
     * Commits the files of {@code checkout} on top of {@code base} as branch {@code branch} of {@code repo} (the
     * private copy); null when the files are exactly the base's (no changes).
     */
    static Commit commit(Repository repo, Path checkout, ObjectId base, String branch, PersonIdent author,
            String message) throws IOException {
        try (RevWalk revs = new RevWalk(repo); ObjectInserter inserter = repo.newObjectInserter()) {
            RevCommit parent = revs.parseCommit(base);
            List<String> oversized = new java.util.ArrayList<>();
            ObjectId tree = snapshot(repo, checkout, parent, inserter, oversized);
            if (tree.equals(parent.getTree())) {
                return null;
            }
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(tree);
            c.setParentId(parent);
            c.setAuthor(author);
            c.setCommitter(author);
            c.setMessage(message);
            ObjectId head = inserter.insert(c);
            inserter.flush();
            RefUpdate ref = repo.updateRef(Constants.R_HEADS + branch);
            ref.setNewObjectId(head);
            ref.setForceUpdate(true); // a second execution of the run replaces its own branch
            ref.setRefLogMessage("drover: " + message.lines().findFirst().orElse(""), false);
            RefUpdate.Result result = ref.update(revs);
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED
                    && result != RefUpdate.Result.NO_CHANGE && result != RefUpdate.Result.FAST_FORWARD) {
                throw new IOException("could not set the branch " + branch + ": " + result);
            }
            Commit d = diff(repo, parent, head);
            return new Commit(d.base(), d.head(), d.filesChanged(), d.insertions(), d.deletions(), d.diff(),
                    d.truncated(), List.copyOf(oversized));
        }
    }

    /** The tree of the checkout as {@code git add -A} would stage it over {@code parent}. */
    private static ObjectId snapshot(Repository repo, Path checkout, RevCommit parent, ObjectInserter inserter,
            List<String> oversized) throws IOException {
        Path root = checkout.toRealPath();
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        // a repository-less iterator: ignore rules come from the checkout's .gitignore files only, never from the
        // agent's .git/info/exclude or configuration; nested repositories are plain directories
        FileTreeIterator files = new FileTreeIterator(root.toFile(), FS.DETECTED,
                new Config().get(WorkingTreeOptions.KEY), FileTreeIterator.NoGitlinksStrategy.INSTANCE);
        try (TreeWalk walk = new TreeWalk(repo)) {
            CanonicalTreeParser before = new CanonicalTreeParser();
            before.reset(walk.getObjectReader(), parent.getTree());
            walk.addTree(before);
            walk.addTree(files);
            walk.setRecursive(false);
            java.util.Set<String> submodules = new java.util.HashSet<>();
            while (walk.next()) {
                if (isGitDirectory(walk.getNameString())) {
                    continue; // the agent's .git (or a nested one): never part of a commit, never read
                }
                if (walk.getFileMode(0) == FileMode.GITLINK) {
                    // a submodule stays at the commit the clone had: its checkout (if any) is not this repository's
                    DirCacheEntry e = new DirCacheEntry(walk.getPathString());
                    e.setFileMode(FileMode.GITLINK);
                    e.setObjectId(walk.getObjectId(0));
                    builder.add(e);
                    submodules.add(walk.getPathString());
                    continue;
                }
                if (submodules.contains(walk.getPathString())) {
                    continue; // the directory where that submodule would be checked out
                }
                int workMode = walk.getRawMode(1);
                if (workMode == 0) {
                    continue; // deleted in the checkout
                }
                boolean tracked = walk.getRawMode(0) != 0;
                FileTreeIterator f = walk.getTree(1, FileTreeIterator.class);
                if (!tracked && f.isEntryIgnored()) {
                    continue; // untracked and ignored, as git add -A leaves it
                }
                if (walk.isSubtree()) {
                    walk.enterSubtree();
                    continue;
                }
                FileMode mode = f.getEntryFileMode();
                Path file = root.resolve(walk.getPathString());
                ObjectId blob;
                if (mode == FileMode.SYMLINK) {
                    // the link itself, whatever it points at (/etc/shadow stays a name, never its contents)
                    blob = inserter.insert(Constants.OBJ_BLOB,
                            Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8));
                } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                    blob = insertInside(root, file, inserter);
                    if (blob == null) {
                        oversized.add(walk.getPathString());
                        if (!tracked) {
                            continue;
                        }
                        mode = walk.getFileMode(0); // the cloned content stays
                        blob = walk.getObjectId(0);
                    }
                } else {
                    continue; // sockets, fifos, devices: not content
                }
                DirCacheEntry e = new DirCacheEntry(walk.getPathString());
                e.setFileMode(mode);
                e.setObjectId(blob);
                builder.add(e);
            }
        }
        builder.finish();
        ObjectId tree = index.writeTree(inserter);
        inserter.flush();
        return tree;
    }

    /** {@code .git} in any case: case-insensitive file systems on the clients' side treat {@code .GIT} as it. */
    private static boolean isGitDirectory(String name) {
        return name.toLowerCase(Locale.ROOT).equals(Constants.DOT_GIT);
    }

    /**
     * A regular file's content as a blob (streamed, not held in memory), refusing anything that is not a regular file
     * lying really inside the checkout: the walk saw a file, but the last component is opened without following
     * links and every parent is checked. Null when it is bigger than {@link #MAX_FILE_BYTES}.
     */
    private static ObjectId insertInside(Path root, Path file, ObjectInserter inserter) throws IOException {
        if (!file.toRealPath(LinkOption.NOFOLLOW_LINKS).startsWith(root) || !file.getParent().toRealPath().startsWith(root)
                || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("not a file inside the checkout: " + root.relativize(file));
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            if (size > MAX_FILE_BYTES) {
                return null;
            }
            InputStream in = java.nio.channels.Channels.newInputStream(channel);
            return inserter.insert(Constants.OBJ_BLOB, size, in);
        }
    }

    /** The unified diff (git format) of {@code head} against {@code base}, cut at {@link #MAX_DIFF_BYTES}. */
    static Commit diff(Repository repo, RevCommit base, ObjectId head) throws IOException {
        try (RevWalk revs = new RevWalk(repo)) {
            RevCommit after = revs.parseCommit(head);
            Capped out = new Capped(MAX_DIFF_BYTES);
            int insertions = 0;
            int deletions = 0;
            List<DiffEntry> entries;
            try (DiffFormatter format = new DiffFormatter(out)) {
                format.setRepository(repo);
                format.setDetectRenames(true);
                entries = format.scan(base.getTree(), after.getTree());
                for (DiffEntry e : entries) {
                    format.format(e);
                    for (Edit edit : format.toFileHeader(e).toEditList()) {
                        insertions += edit.getLengthB();
                        deletions += edit.getLengthA();
                    }
                }
                format.flush();
            }
            String whole = new String(out.bytes(), StandardCharsets.UTF_8);
            String text = fit(whole, MAX_DIFF_BYTES);
            boolean truncated = out.dropped() || text.length() < whole.length();
            return new Commit(base, head, entries.size(), insertions, deletions, text, truncated, List.of());
        }
    }

    /**
     * The paths whose content in {@code head} (added or changed since {@code base}) holds the value of one of the
     * run's secrets: such a commit is not pushed (a forge is no place for the team's secrets, and a branch is
     * public to whoever reads the repository).
     */
    static List<String> pathsHoldingSecrets(Repository repo, ObjectId base, ObjectId head, dev.drover.api.Redactor secrets)
            throws IOException {
        if (secrets.isEmpty()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        try (RevWalk revs = new RevWalk(repo); TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(revs.parseCommit(base).getTree());
            walk.addTree(revs.parseCommit(head).getTree());
            walk.setRecursive(true);
            walk.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
            while (walk.next()) {
                if (walk.getRawMode(1) == 0) {
                    continue; // deleted
                }
                // at most MAX_FILE_BYTES: bigger files were never committed
                byte[] content = repo.open(walk.getObjectId(1), Constants.OBJ_BLOB).getBytes((int) MAX_FILE_BYTES);
                if (!java.util.Arrays.equals(secrets.redact(content), content)
                        || !walk.getPathString().equals(secrets.redact(walk.getPathString()))) {
                    out.add(secrets.redact(walk.getPathString()));
                }
            }
        }
        return out;
    }

    /** The longest prefix of {@code s} whose UTF-8 takes at most {@code max} bytes (undecodable bytes grew it). */
    static String fit(String s, int max) {
        if (s.length() * 3L <= max || s.getBytes(StandardCharsets.UTF_8).length <= max) {
            return s;
        }
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > max) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /** Keeps the first {@code limit} bytes written and remembers whether more came. */
    private static final class Capped extends OutputStream {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int limit;
        private boolean dropped;

        Capped(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int room = limit - kept.size();
            if (len > room) {
                dropped = true;
            }
            kept.write(b, off, Math.max(0, Math.min(len, room)));
        }

        byte[] bytes() {
            return kept.toByteArray();
        }

        boolean dropped() {
            return dropped;
        }
    }
}
