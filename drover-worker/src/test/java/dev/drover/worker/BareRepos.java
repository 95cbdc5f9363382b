package dev.drover.worker;

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
final class BareRepos {
    private final Path root;

    BareRepos(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Creates {@code owner/repo} with one commit holding {@code files}; returns that commit's id. */
    String create(String owner, String repo, Map<String, String> files) throws IOException, GitAPIException {
        Path scratch = Files.createTempDirectory("drover-scratch-");
        PersonIdent who = new PersonIdent("Drover Test", "test@drover.dev");
        String commit;
        try (Git git = Git.init().setDirectory(scratch.toFile()).setInitialBranch("main").call()) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path file = scratch.resolve(f.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, f.getValue());
            }
            git.add().addFilepattern(".").call();
            RevCommit c = git.commit().setMessage("initial").setAuthor(who).setCommitter(who).setSign(false).call();
            commit = c.name();
        }
        Path bare = root.resolve(owner).resolve(repo + ".git");
        Files.createDirectories(bare.getParent());
        Git.cloneRepository().setURI(scratch.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call().close();
        return commit;
    }
}
