package dev.drover.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A directory of real bare git repositories laid out as {@code <root>/<owner>/<repo>.git}, the layout a server's
 * git base URL points at; each made by committing files in a scratch clone and cloning it bare.
 */
public final class BareRepos {
    private static final PersonIdent WHO = new PersonIdent("Drover Test", "test@drover.dev");
    private final Path root;

    public BareRepos(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Creates {@code owner/repo} with one commit holding {@code files}; returns that commit's id. */
    public String create(String owner, String repo, Map<String, String> files) throws IOException, GitAPIException {
        Path scratch = Files.createTempDirectory("drover-scratch-");
        String commit;
        try (Git git = Git.init().setDirectory(scratch.toFile()).setInitialBranch("main").call()) {
            commit = commit(git, scratch, files);
        }
        Path bare = root.resolve(owner).resolve(repo + ".git");
        Files.createDirectories(bare.getParent());
        Git.cloneRepository().setURI(scratch.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call().close();
        return commit;
    }

    /** Adds a commit writing {@code files} to the default branch of an existing {@code owner/repo}. */
    public String update(String owner, String repo, Map<String, String> files) throws IOException, GitAPIException {
        Path scratch = Files.createTempDirectory("drover-scratch-");
        Path bare = root.resolve(owner).resolve(repo + ".git");
        try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(scratch.toFile()).call()) {
            String commit = commit(git, scratch, files);
            git.push().call();
            return commit;
        }
    }

    private static String commit(Git git, Path dir, Map<String, String> files) throws IOException, GitAPIException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
        }
        git.add().addFilepattern(".").call();
        RevCommit c = git.commit().setMessage("change").setAuthor(WHO).setCommitter(WHO).setSign(false).call();
        return c.name();
    }
}
