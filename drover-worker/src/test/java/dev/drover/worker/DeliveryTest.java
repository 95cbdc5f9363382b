package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.AmbientAgentConfig;
import dev.drover.api.ClaimedRun;
import dev.drover.api.RepositoryDiff;
import dev.drover.api.RunDelivery;
import dev.drover.api.RunEnvironment;
import dev.drover.api.RunItem;
import dev.drover.forge.ForgeKind;
import dev.drover.forge.testing.FakeForge;
import dev.drover.server.testing.BareRepos;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery with real git and a real file system, as the worker runs it after an agent ended, with the agent's
 * attacks on its checkout: every test here plays a hostile agent that controlled {@code <workspace>/<repo>} and its
 * {@code .git}, and would fail if the worker honoured what the agent planted.
 */
class DeliveryTest {
    Path root;
    Path work;
    BareRepos repos;
    String base;
    String runId;
    Path workspace;
    Path checkout;
    List<RepositoryDiff> reported;
    List<Map<String, Object>> transcript;

    @BeforeEach
    void start() throws Exception {
        root = Files.createTempDirectory("drover-delivery-");
        repos = new BareRepos(root.resolve("remote"));
        base = repos.create("acme", "web", Map.of("README.md", "hello\n", "src/app.txt", "one\ntwo\nthree\n",
                "gone.txt", "bye\n", ".gitignore", "build/\n"));
        work = Files.createDirectories(root.resolve("work"));
        runId = UUID.randomUUID().toString();
        cloneAgain();
    }

    /** A fresh workspace for the run, cloned and kept as the worker does before the agent starts. */
    void cloneAgain() throws Exception {
        workspace = work.resolve(runId);
        if (Files.exists(workspace)) {
            deleteTree(workspace);
            deleteTree(work.resolve(Delivery.PRIVATE_DIR).resolve(runId));
        }
        Files.createDirectories(workspace);
        checkout = workspace.resolve("web");
        Git.cloneRepository().setURI(remote().toUri().toString()).setDirectory(checkout.toFile()).call().close();
        Delivery.keepPristine(checkout, Delivery.privateCopy(work, runId, "web"));
        reported = new ArrayList<>();
        transcript = new ArrayList<>();
    }

    private Path remote() {
        return repos.root().resolve("acme/web.git");
    }

    private ClaimedRun claimed(String pushUrl, Map<String, String> previousHeads) {
        RunItem run = new RunItem(runId, runId, "Fix the greeting", null, null, "fix it", Instant.now(), Instant.now(),
                null, null, null, null, null, "http://drover.test/sessions/s1", null, null, null,
                AmbientAgentConfig.empty(), null, null, null, List.of(), null, null, null, null, null);
        RunEnvironment env = new RunEnvironment("e", "env", null, List.of(new RunEnvironment.Repository("acme", "web",
                remote().toUri().toString(), pushUrl, null, null)), List.of());
        return new ClaimedRun(run, Instant.now(), 1, null, null, List.of(), env, null, null, null, "w:1", 1, List.of(), null,
                new RunDelivery("drover/" + runId.substring(0, 8), "Drover Bot <bot@drover.test>", false,
                        "http://drover.test/sessions/s1", previousHeads, null));
    }

    private void deliver(ClaimedRun claimed) {
        new Delivery(null, null).deliver(claimed, work, workspace, Outcome.succeeded("Greeting fixed"),
                (role, content) -> transcript.addAll(content), reported::add, null);
    }

    private void deliver() {
        deliver(claimed(remote().toUri().toString(), Map.of()));
    }

    private String branch() {
        return "drover/" + runId.substring(0, 8);
    }

    /** path → content (links: their target) of the remote's branch; and the modes. */
    private static Map<String, String> files(Path bare, String branch, Map<String, FileMode> modes) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Repository r = new FileRepositoryBuilder().setGitDir(bare.toFile()).build(); RevWalk walk = new RevWalk(r)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            assertThat(id).as("branch %s in %s", branch, bare).isNotNull();
            try (TreeWalk t = new TreeWalk(r)) {
                t.addTree(walk.parseCommit(id).getTree());
                t.setRecursive(true);
                while (t.next()) {
                    out.put(t.getPathString(), new String(r.open(t.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
                    modes.put(t.getPathString(), t.getFileMode(0));
                }
            }
        }
        return out;
    }

    private static RevCommit head(Path bare, String branch) throws IOException {
        try (Repository r = new FileRepositoryBuilder().setGitDir(bare.toFile()).build(); RevWalk walk = new RevWalk(r)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            return id == null ? null : walk.parseCommit(id);
        }
    }

    private List<String> events() {
        return transcript.stream().map(b -> (String) b.get("name")).toList();
    }

    @Test
    void theChangesBecomeOneCommitOnTheRunsBranchOnTopOfTheClonedCommitWithItsDiffReported() throws Exception {
        Files.writeString(checkout.resolve("README.md"), "hello, world\n");
        Files.writeString(checkout.resolve("new.txt"), "fresh\n");
        Files.delete(checkout.resolve("gone.txt"));
        Files.createDirectories(checkout.resolve("build"));
        Files.writeString(checkout.resolve("build/out.bin"), "ignored by .gitignore");
        Files.write(checkout.resolve("blob.bin"), new byte[] {0, 1, 2, 3, 0});
        deliver();

        Map<String, FileMode> modes = new HashMap<>();
        assertThat(files(remote(), branch(), modes)).containsOnly(Map.entry("README.md", "hello, world\n"),
                Map.entry("src/app.txt", "one\ntwo\nthree\n"), Map.entry("new.txt", "fresh\n"),
                Map.entry(".gitignore", "build/\n"), Map.entry("blob.bin", "\0\1\2\3\0"));
        RevCommit commit = head(remote(), branch());
        assertThat(commit.getParent(0).name()).isEqualTo(base);
        assertThat(commit.getFullMessage()).isEqualTo("Drover run " + runId + ": Fix the greeting\n\n"
                + "Session: http://drover.test/sessions/s1\n");
        assertThat(commit.getAuthorIdent().getName()).isEqualTo("Drover Bot");
        assertThat(commit.getAuthorIdent().getEmailAddress()).isEqualTo("bot@drover.test");

        assertThat(reported).hasSize(1);
        RepositoryDiff d = reported.getFirst();
        assertThat(d.repository()).isEqualTo("acme/web");
        assertThat(d.baseCommit()).isEqualTo(base);
        assertThat(d.headCommit()).isEqualTo(commit.name());
        assertThat(d.branch()).isEqualTo(branch());
        assertThat(d.pushed()).isTrue();
        assertThat(d.deliveryError()).isNull();
        assertThat(d.filesChanged()).isEqualTo(4);
        assertThat(d.insertions()).isEqualTo(2);
        assertThat(d.deletions()).isEqualTo(2);
        assertThat(d.truncated()).isFalse();
        assertThat(d.diff()).contains("diff --git a/README.md b/README.md", "-hello\n+hello, world\n",
                "new file mode 100644", "+fresh", "deleted file mode 100644", "-bye",
                "diff --git a/blob.bin b/blob.bin\nnew file mode 100644", "Binary files differ").doesNotContain("build/out.bin");
        // the diff is a patch git itself applies to the cloned commit (binary files are named, not carried)
        Path other = root.resolve("apply");
        Git.cloneRepository().setURI(remote().toUri().toString()).setDirectory(other.toFile()).call().close();
        Files.writeString(root.resolve("run.patch"), d.diff());
        Process p = new ProcessBuilder("git", "apply", "--check", "--exclude=blob.bin", root.resolve("run.patch").toString())
                .directory(other.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
        assertThat(events()).containsExactly("changes_committed", "branch_pushed");
    }

    @Test
    void filesTooBigToCommitAreLeftAsClonedAndListedWithoutBeingRead() throws Exception {
        // sparse files of 200 MiB: a hostile checkout could make them terabytes
        try (var f = new java.io.RandomAccessFile(checkout.resolve("huge.bin").toFile(), "rw")) {
            f.setLength(200L * 1024 * 1024);
        }
        try (var f = new java.io.RandomAccessFile(checkout.resolve("README.md").toFile(), "rw")) {
            f.setLength(200L * 1024 * 1024);
        }
        Files.writeString(checkout.resolve("new.txt"), "small\n");
        deliver();
        Map<String, String> files = files(remote(), branch(), new HashMap<>());
        assertThat(files).containsEntry("README.md", "hello\n").containsEntry("new.txt", "small\n")
                .doesNotContainKey("huge.bin");
        assertThat(reported.getFirst().filesChanged()).isEqualTo(1);
        Map<?, ?> committed = (Map<?, ?>) transcript.getFirst().get("data");
        assertThat(committed.get("not_committed")).isEqualTo(List.of("README.md", "huge.bin"));
    }

    @Test
    void aSubmoduleStaysAtItsCommitWhateverItsDirectoryHolds() throws Exception {
        // the remote's default branch gets a submodule (a gitlink) at lib/
        ObjectId pinned = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
        Path scratch = root.resolve("scratch");
        try (Git git = Git.cloneRepository().setURI(remote().toUri().toString()).setDirectory(scratch.toFile()).call()) {
            org.eclipse.jgit.dircache.DirCache index = git.getRepository().lockDirCache();
            org.eclipse.jgit.dircache.DirCacheEditor editor = index.editor();
            editor.add(new org.eclipse.jgit.dircache.DirCacheEditor.PathEdit("lib") {
                @Override
                public void apply(org.eclipse.jgit.dircache.DirCacheEntry e) {
                    e.setFileMode(FileMode.GITLINK);
                    e.setObjectId(pinned);
                }
            });
            editor.commit();
            git.commit().setMessage("add a submodule").setSign(false).call();
            git.push().call();
        }
        cloneAgain(); // the run clones the repository with its submodule (not checked out: an empty lib/)
        Files.createDirectories(checkout.resolve("lib"));
        Files.writeString(checkout.resolve("lib/inside.txt"), "the submodule's own file\n");
        Files.writeString(checkout.resolve("README.md"), "changed\n");
        deliver();
        Map<String, FileMode> modes = new HashMap<>();
        try (Repository r = new FileRepositoryBuilder().setGitDir(remote().toFile()).build(); RevWalk walk = new RevWalk(r);
                TreeWalk t = new TreeWalk(r)) {
            t.addTree(walk.parseCommit(r.resolve(Constants.R_HEADS + branch())).getTree());
            t.setRecursive(true);
            Map<String, ObjectId> ids = new HashMap<>();
            while (t.next()) {
                modes.put(t.getPathString(), t.getFileMode(0));
                ids.put(t.getPathString(), t.getObjectId(0));
            }
            assertThat(modes).containsEntry("lib", FileMode.GITLINK).doesNotContainKey("lib/inside.txt");
            assertThat(ids.get("lib")).isEqualTo(pinned);
        }
        assertThat(reported.getFirst().filesChanged()).isEqualTo(1);
    }

    @Test
    void aCheckoutWithoutChangesMakesNoBranchAndIsRecordedAsNoChanges() throws Exception {
        Files.createDirectories(checkout.resolve("build"));
        Files.writeString(checkout.resolve("build/cache"), "ignored");
        deliver();
        assertThat(head(remote(), branch())).isNull();
        assertThat(reported).isEmpty();
        assertThat(events()).containsExactly("no_changes");
    }

    @Test
    void aSecondExecutionOfTheRunReplacesItsOwnBranchWithLeaseAndNeverABranchItDidNotPush() throws Exception {
        Files.writeString(checkout.resolve("README.md"), "first\n");
        deliver();
        String first = reported.getFirst().headCommit();

        // the follow-up starts from a fresh clone, as a retry on another worker would
        cloneAgain();
        Files.writeString(checkout.resolve("README.md"), "second\n");
        deliver(claimed(remote().toUri().toString(), Map.of("acme/web", first)));
        assertThat(reported.getFirst().pushed()).isTrue();
        assertThat(files(remote(), branch(), new HashMap<>())).containsEntry("README.md", "second\n");

        // an execution that does not know the branch's head (someone else's push) leaves it alone
        String second = reported.getFirst().headCommit();
        cloneAgain();
        Files.writeString(checkout.resolve("README.md"), "third\n");
        deliver(claimed(remote().toUri().toString(), Map.of("acme/web", first)));
        assertThat(reported.getFirst().pushed()).isFalse();
        assertThat(reported.getFirst().deliveryError()).contains("was changed on the remote");
        assertThat(head(remote(), branch()).name()).isEqualTo(second);
        // the commit is kept on the branch of the worker's copy of the repository
        assertThat(head(Delivery.privateCopy(work, runId, "web"), branch()).name())
                .isEqualTo(reported.getFirst().headCommit());
        assertThat(events()).containsExactly("changes_committed", "push_failed");
    }

    @Test
    void aSecondExecutionOfTheRunPushesToTheSameBranchAndReusesItsPullRequest() throws Exception {
        try (FakeForge gitlab = FakeForge.start(ForgeKind.GITLAB, "glpat-test")) {
            gitlab.repo("acme", "web", "main");
            Delivery delivery = new Delivery("glpat-test", new ForgePullRequests());
            List<String> recorded = new ArrayList<>();
            Delivery.RunArtifacts artifacts = new Delivery.RunArtifacts() {
                @Override
                public java.util.Optional<String> pullRequestFor(String repository, String branch) {
                    return java.util.Optional.empty(); // the agent reported none
                }

                @Override
                public void recordPullRequest(String url, String branch, String title, String repository) {
                    recorded.add(url + " " + branch + " " + title + " " + repository);
                }
            };
            ClaimedRun first = withForge(claimed(remote().toUri().toString(), Map.of()), gitlab);
            Files.writeString(checkout.resolve("README.md"), "first\n");
            delivery.deliver(first, work, workspace, Outcome.succeeded("done"), (r, c) -> transcript.addAll(c),
                    reported::add, artifacts);
            String head = reported.getFirst().headCommit();
            List<Object> how = new ArrayList<>(hows());

            cloneAgain();
            Files.writeString(checkout.resolve("README.md"), "second\n");
            ClaimedRun second = withForge(claimed(remote().toUri().toString(), Map.of("acme/web", head)), gitlab);
            delivery.deliver(second, work, workspace, Outcome.succeeded("done"), (r, c) -> transcript.addAll(c),
                    reported::add, artifacts);

            assertThat(gitlab.pullRequests()).hasSize(1);
            FakeForge.Pull pull = gitlab.pullRequests().getFirst();
            assertThat(pull.head()).isEqualTo(branch());
            assertThat(gitlab.requests().stream().filter(r -> r.method().equals("POST")).count()).isEqualTo(1);
            assertThat(recorded).containsExactly(pull.url() + " " + branch() + " Fix the greeting acme/web",
                    pull.url() + " " + branch() + " Fix the greeting acme/web");
            assertThat(files(remote(), branch(), new HashMap<>())).containsEntry("README.md", "second\n");
            how.addAll(hows());
            assertThat(how).containsExactly("opened", "already_open");
        }
    }

    private List<Object> hows() {
        return transcript.stream().filter(b -> "pull_request".equals(b.get("name")))
                .map(b -> (Object) ((Map<?, ?>) b.get("data")).get("how")).toList();
    }

    private static ClaimedRun withForge(ClaimedRun c, FakeForge forge) {
        RunEnvironment.Repository r = c.environment().repos().getFirst();
        RunEnvironment env = new RunEnvironment("e", "env", null, List.of(new RunEnvironment.Repository(r.owner(),
                r.repo(), r.cloneUrl(), r.pushUrl(), forge.kind().name().toLowerCase(java.util.Locale.ROOT),
                forge.apiBase().toString())), List.of());
        return new ClaimedRun(c.run(), c.leaseExpiresAt(), c.attempt(), null, null, List.of(), env, null, null, null,
                c.executionId(), 1, List.of(), null, c.delivery());
    }

    @Test
    void aCredentialTheWorkerDoesNotHaveIsNeverReplacedByItsOwnToken() throws Exception {
        Files.writeString(checkout.resolve("README.md"), "changed\n");
        ClaimedRun c = claimed(remote().toUri().toString(), Map.of());
        RunDelivery d = c.delivery();
        deliver(new ClaimedRun(c.run(), c.leaseExpiresAt(), c.attempt(), null, null, List.of(), c.environment(), null,
                null, null, c.executionId(), 1, List.of(), null, new RunDelivery(d.branch(), d.commitAuthor(), false, d.sessionLink(),
                        Map.of(), "team-secret:deploy-bot")));
        assertThat(head(remote(), branch())).isNull();
        assertThat(reported.getFirst().pushed()).isFalse();
        assertThat(reported.getFirst().deliveryError()).contains("team-secret:deploy-bot");
        assertThat(head(Delivery.privateCopy(work, runId, "web"), branch())).as("the commit is kept").isNotNull();
    }

    @Test
    void hooksTheAgentPlantedNeverRun() throws Exception {
        Path marker = root.resolve("hook-ran");
        Path hooks = Files.createDirectories(root.resolve("agent-hooks"));
        for (Path dir : List.of(checkout.resolve(".git/hooks"), hooks)) {
            for (String hook : List.of("pre-commit", "commit-msg", "post-commit", "prepare-commit-msg", "pre-push",
                    "reference-transaction", "post-checkout")) {
                Path h = dir.resolve(hook);
                Files.writeString(h, "#!/bin/sh\necho " + hook + " >> " + marker + "\n");
                h.toFile().setExecutable(true, false);
            }
        }
        appendConfig("[core]\n\thooksPath = " + hooks + "\n\tfsmonitor = " + hooks.resolve("pre-commit") + "\n");
        Files.writeString(checkout.resolve("README.md"), "changed\n");
        deliver();
        assertThat(reported.getFirst().pushed()).isTrue();
        assertThat(marker).as("a hook of the agent's ran as the worker").doesNotExist();
    }

    @Test
    void theCheckoutsRemotesAndUrlRewritesDoNotRedirectThePush() throws Exception {
        Path evil = root.resolve("evil.git");
        Git.init().setBare(true).setDirectory(evil.toFile()).call().close();
        String real = remote().toUri().toString();
        appendConfig("[remote \"origin\"]\n\turl = " + evil.toUri() + "\n"
                + "[url \"" + evil.toUri() + "\"]\n\tinsteadOf = " + real + "\n"
                + "[url \"" + evil.toUri() + "\"]\n\tpushInsteadOf = " + real + "\n"
                + "[credential]\n\thelper = !touch " + root.resolve("helper-ran") + "\n");
        Files.writeString(checkout.resolve("README.md"), "changed\n");
        deliver();
        assertThat(head(remote(), branch())).isNotNull();
        try (Repository r = new FileRepositoryBuilder().setGitDir(evil.toFile()).build()) {
            assertThat(r.getRefDatabase().getRefs()).as("nothing was pushed to the agent's remote").isEmpty();
        }
        assertThat(root.resolve("helper-ran")).doesNotExist();
    }

    @Test
    void aDotGitLinkToADirectoryOutsideTheWorkspaceIsNeitherReadNorWritten() throws Exception {
        // the agent replaces its .git with a link to a repository of its choosing, outside the workspace
        Path outside = root.resolve("outside");
        String outsideCommit = new BareRepos(outside).create("x", "y", Map.of("planted.txt", "from outside\n"));
        Path outsideGit = outside.resolve("x/y.git");
        Files.writeString(outsideGit.resolve("hooks/post-commit"), "#!/bin/sh\ntouch " + root.resolve("ran") + "\n");
        deleteTree(checkout.resolve(".git"));
        Files.createSymbolicLink(checkout.resolve(".git"), outsideGit);
        Set<String> before = filesOf(outsideGit);
        Files.writeString(checkout.resolve("README.md"), "changed\n");
        deliver();

        RevCommit commit = head(remote(), branch());
        assertThat(commit.getParent(0).name()).as("based on the clone, not on the linked repository").isEqualTo(base);
        assertThat(files(remote(), branch(), new HashMap<>())).doesNotContainKey("planted.txt")
                .doesNotContainKey(".git").containsEntry("README.md", "changed\n");
        assertThat(filesOf(outsideGit)).as("nothing was written into the linked repository").isEqualTo(before);
        try (Repository r = new FileRepositoryBuilder().setGitDir(outsideGit.toFile()).build()) {
            assertThat(r.resolve("HEAD").name()).isEqualTo(outsideCommit);
        }
        assertThat(root.resolve("ran")).doesNotExist();
    }

    @Test
    void linksToFilesAndDirectoriesOutsideTheWorkspaceAreCommittedAsLinksNotTheirContents() throws Exception {
        Path secret = root.resolve("secret");
        Files.writeString(secret, "the worker's secret\n");
        Files.createSymbolicLink(checkout.resolve("shadow"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(checkout.resolve("secret"), secret);
        Files.createSymbolicLink(checkout.resolve("etc"), Path.of("/etc"));
        Files.writeString(checkout.resolve("README.md"), "changed\n");
        deliver();

        Map<String, FileMode> modes = new HashMap<>();
        Map<String, String> files = files(remote(), branch(), modes);
        assertThat(files).containsEntry("shadow", "/etc/shadow").containsEntry("secret", secret.toString())
                .containsEntry("etc", "/etc");
        assertThat(modes.get("shadow")).isEqualTo(FileMode.SYMLINK);
        assertThat(modes.get("secret")).isEqualTo(FileMode.SYMLINK);
        assertThat(modes.get("etc")).isEqualTo(FileMode.SYMLINK);
        assertThat(files.keySet()).noneMatch(p -> p.startsWith("etc/"));
        assertThat(reported.getFirst().diff()).doesNotContain("the worker's secret").doesNotContain("root:");
    }

    @Test
    void aCheckoutReplacedByALinkIsNotDelivered() throws Exception {
        deleteTree(checkout);
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("README.md"), "not the checkout\n");
        Files.createSymbolicLink(checkout, elsewhere);
        deliver();
        assertThat(head(remote(), branch())).isNull();
        assertThat(reported).isEmpty();
        assertThat(events()).containsExactly("delivery_failed");
    }

    private void appendConfig(String text) throws IOException {
        Files.writeString(checkout.resolve(".git/config"), text, java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * The repository's files and directories, but for the log of JGit's background gc, which the clone that made the
     * repository may have started and which comes and goes on its own (a count with it failed one run in many).
     */
    private static Set<String> filesOf(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (var s = Files.walk(dir)) {
                return s.map(p -> dir.relativize(p).toString())
                        .filter(name -> !name.equals("gc.log") && !name.equals("gc.log.lock"))
                        .collect(Collectors.toCollection(TreeSet::new));
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == 10) {
                    throw e; // a file vanished while being walked: only the gc's log does
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
