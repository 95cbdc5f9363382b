package dev.drover.worker;

import dev.drover.api.ClaimedRun;
import dev.drover.api.RepositoryDiff;
import dev.drover.api.RunDelivery;
import dev.drover.api.RunEnvironment;
import dev.drover.api.RunItem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

/**
 * Hands a run's work back when its agent ends, before the run's terminal state is reported: per repository of its
 * environment, the changes are committed on the run's branch ({@link ChangeSet}), pushed to the repository's push
 * URL, proposed as a pull request through its forge, and the diff and outcome reported to the server.
 *
 * <p>The agent's checkout is hostile (docs/isolation.md, "Delivering changes"): the commit is made in a private
 * bare copy of the repository that the worker cloned before the agent started ({@link #keepPristine}), outside the
 * workspace; pushes go to the URL from the claim with the run's {@link GitCredential} (the environment's git secret,
 * else the worker's token), never to the checkout's remotes.
 * A failure to push or open is recorded on the run and loses nothing: the commit stays on the branch in the private
 * copy (kept as long as the workspace) and the diff is stored by the server.
 */
final class Delivery {
    /** Where the private copies live: {@code <work root>/.drover-private/<run>/<repo>.git}, beside the workspaces. */
    static final String PRIVATE_DIR = ".drover-private";
    static final int PUSH_TIMEOUT_SECONDS = 120;
    private static final Pattern AUTHOR = Pattern.compile("\\s*(.*?)\\s*<([^<>]+)>\\s*");

    /** The worker's side of the protocol: a repository's result to the server. */
    interface Reporter {
        void report(RepositoryDiff diff);
    }

    /** Opens (or finds) the pull request of a pushed branch; the forge module plays it ({@link ForgePullRequests}). */
    interface PullRequests {
        /**
         * The pull request, asked for with {@code token} (the run's git credential); throws with a message fit for
         * the transcript when the forge refuses.
         */
        Opened open(String token, RunEnvironment.Repository repo, String branch, String title, String body,
                boolean draft) throws Exception;
    }

    /** A pull request's URL, and whether this call opened it (false: it was open already). */
    record Opened(String url, boolean created) {}

    /** The run's side of delivery: its pull request artifacts so far, and recording one. */
    interface RunArtifacts {
        /** The URL of a PULL_REQUEST artifact the run already has for {@code branch} of {@code repository}. */
        Optional<String> pullRequestFor(String repository, String branch);

        void recordPullRequest(String url, String branch, String title, String repository);
    }

    private final String gitToken;
    private final PullRequests pullRequests;

    Delivery(String gitToken, PullRequests pullRequests) {
        this.gitToken = gitToken;
        this.pullRequests = pullRequests;
    }

    /** The private copy of {@code repo} for run {@code runId}. */
    static Path privateCopy(Path workRoot, String runId, String repo) {
        return workRoot.resolve(PRIVATE_DIR).resolve(runId).resolve(repo + ".git");
    }

    /**
     * Right after the clone, before the agent (or a setup command) can touch it: a bare copy of the checkout,
     * root's own, from which the delivery commits. Its configuration is the worker's; it has no remotes and no hooks.
     */
    static void keepPristine(Path checkout, Path copy) throws Exception {
        Path privateRoot = copy.getParent().getParent();
        Files.createDirectories(privateRoot);
        // the worker's alone: an agent that reached the work root still could not read or plant anything here
        Files.setPosixFilePermissions(privateRoot, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(copy.getParent());
        if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
            // left from an earlier turn whose workspace is gone: the base is this clone's, not that one's
            org.eclipse.jgit.util.FileUtils.delete(copy.toFile(), org.eclipse.jgit.util.FileUtils.RECURSIVE);
        }
        try (Git git = Git.cloneRepository().setURI(checkout.toUri().toString()).setDirectory(copy.toFile())
                .setBare(true).setCloneAllBranches(false).call()) {
            StoredConfig config = git.getRepository().getConfig();
            config.unsetSection("remote", "origin");
            config.save();
        }
    }

    /** Whether a run that ended with {@code outcome} hands its work back, and as a draft. */
    static boolean delivers(Outcome outcome, RunDelivery delivery) {
        if (delivery == null) {
            return false;
        }
        return switch (outcome.eventType()) {
            case "run_succeeded" -> true;
            case "run_failed" -> delivery.deliverOnFailure() && (outcome.status() == null
                    || outcome.status().errorCode() != dev.drover.api.PlatformErrorCode.ENVIRONMENT_SETUP_FAILED);
            case "run_blocked" -> delivery.deliverOnFailure();
            default -> false;
        };
    }

    /** Delivers every repository of the run; each one's failure is its own and recorded, never thrown. */
    void deliver(ClaimedRun claimed, Path workRoot, Path workspace, Outcome outcome, TranscriptWriter transcript,
            Reporter reporter, RunArtifacts artifacts) {
        deliver(claimed, workRoot, workspace, outcome, transcript, reporter, artifacts, dev.drover.api.Redactor.none());
    }

    /** As above; {@code secrets} are the run's secret values, which a pushed branch must not hold. */
    void deliver(ClaimedRun claimed, Path workRoot, Path workspace, Outcome outcome, TranscriptWriter transcript,
            Reporter reporter, RunArtifacts artifacts, dev.drover.api.Redactor secrets) {
        RunDelivery delivery = claimed.delivery();
        GitCredential credential = GitCredential.forRun(claimed, gitToken);
        boolean draft = !outcome.eventType().equals("run_succeeded");
        for (RunEnvironment.Repository repo : claimed.environment().repos()) {
            Path copy = privateCopy(workRoot, claimed.run().runId(), repo.repo());
            if (!Files.isDirectory(copy, LinkOption.NOFOLLOW_LINKS)) {
                continue; // never cloned (the setup stopped before it)
            }
            try {
                deliverOne(claimed.run(), delivery, credential, repo, copy, workspace, draft, outcome, transcript,
                        reporter, artifacts, secrets);
            } catch (Exception e) {
                transcript.append("system", List.of(Blocks.event("delivery_failed", Map.of("repo", repo.fullName(),
                        "error", EnvironmentSetup.reason(e)))));
            }
        }
    }

    private void deliverOne(RunItem run, RunDelivery delivery, GitCredential credential,
            RunEnvironment.Repository repo, Path copy,
            Path workspace, boolean draft, Outcome outcome, TranscriptWriter transcript, Reporter reporter,
            RunArtifacts artifacts, dev.drover.api.Redactor secrets) throws Exception {
        String name = repo.fullName();
        Path checkout = workspace.resolve(repo.repo());
        // the checkout must be a real directory of the workspace, not a link the agent left in its place
        if (!Files.isDirectory(checkout, LinkOption.NOFOLLOW_LINKS)
                || !checkout.toRealPath().equals(workspace.toRealPath().resolve(repo.repo()))) {
            transcript.append("system", List.of(Blocks.event("delivery_failed", Map.of("repo", name,
                    "error", "the checkout " + repo.repo() + " is no longer a directory of the workspace"))));
            return;
        }
        try (Repository git = new FileRepositoryBuilder().setGitDir(copy.toFile()).setMustExist(true).build()) {
            ObjectId base = git.resolve(Constants.HEAD);
            if (base == null) {
                return; // an empty repository: nothing to compare with
            }
            String branch = delivery.branch();
            ChangeSet.Commit commit = ChangeSet.commit(git, checkout, base, branch, author(delivery.commitAuthor()),
                    message(run, delivery));
            if (commit == null) {
                transcript.append("system", List.of(Blocks.event("no_changes", Map.of("repo", name))));
                return;
            }
            Map<String, Object> committed = new LinkedHashMap<>();
            committed.put("repo", name);
            committed.put("branch", branch);
            committed.put("commit", commit.head().name());
            committed.put("base_commit", base.name());
            committed.put("files_changed", commit.filesChanged());
            committed.put("insertions", commit.insertions());
            committed.put("deletions", commit.deletions());
            if (!commit.oversized().isEmpty()) {
                committed.put("not_committed", commit.oversized().subList(0, Math.min(100, commit.oversized().size())));
                committed.put("not_committed_because", "larger than " + ChangeSet.MAX_FILE_BYTES + " bytes");
            }
            transcript.append("system", List.of(Blocks.event("changes_committed", committed)));

            // a run whose credential is a team's secret pushes with that or not at all: never with the worker's token
            List<String> holdingSecrets = ChangeSet.pathsHoldingSecrets(git, base, commit.head(), secrets);
            String error = !holdingSecrets.isEmpty()
                    ? "the changes hold the value of one of the run's secrets (in " + String.join(", ",
                            holdingSecrets.subList(0, Math.min(20, holdingSecrets.size()))) + "); the branch was not "
                            + "pushed"
                    : credential.missing() != null
                    ? credential.missing() + "; the branch was not pushed"
                    : push(git, repo, branch, commit.head(), delivery.previousHeads().get(name), credential);
            boolean pushed = error == null;
            if (pushed) {
                transcript.append("system", List.of(Blocks.event("branch_pushed", Map.of("repo", name,
                        "branch", branch, "commit", commit.head().name()))));
            } else {
                transcript.append("system", List.of(Blocks.event("push_failed", Map.of("repo", name,
                        "branch", branch, "error", error))));
            }
            if (pushed && repo.forge() != null && pullRequests != null) {
                try {
                    Optional<String> known = artifacts.pullRequestFor(name, branch);
                    String url;
                    String how;
                    if (known.isPresent()) {
                        url = known.get(); // the agent reported it, or an earlier turn did: not a second one
                        how = "already_recorded";
                    } else {
                        Opened opened = pullRequests.open(credential.token(), repo, branch, title(run),
                                body(run, delivery, outcome), draft);
                        url = opened.url();
                        how = opened.created() ? "opened" : "already_open";
                    }
                    artifacts.recordPullRequest(url, branch, title(run), name);
                    transcript.append("system", List.of(Blocks.event("pull_request", Map.of("repo", name,
                            "branch", branch, "url", url, "draft", draft, "how", how))));
                } catch (Exception e) {
                    error = "The branch " + branch + " was pushed, but the pull request could not be opened: "
                            + EnvironmentSetup.reason(e);
                    transcript.append("system", List.of(Blocks.event("pull_request_failed", Map.of("repo", name,
                            "branch", branch, "error", error))));
                }
            }
            reporter.report(new RepositoryDiff(name, base.name(), commit.head().name(), branch, commit.filesChanged(),
                    commit.insertions(), commit.deletions(), commit.truncated(), commit.diff(), pushed, error));
        }
    }

    /**
     * Pushes {@code head} to the branch at the claim's push URL, never a remote of any repository's configuration.
     * The branch is replaced only while it is where this run last left it ({@code previous}), or created when this
     * run never pushed it: force with lease, so a follow-up moves its own branch and nobody else's work is lost.
     * Null when pushed, else why not.
     */
    private String push(Repository git, RunEnvironment.Repository repo, String branch, ObjectId head, String previous,
            GitCredential credential) {
        String url = repo.pushUrl();
        if (url == null) {
            return "no push URL for " + repo.fullName();
        }
        String ref = Constants.R_HEADS + branch;
        ObjectId expected = previous == null ? ObjectId.zeroId() : ObjectId.fromString(previous);
        try (Transport transport = Transport.open(git, new URIish(url))) {
            transport.setTimeout(PUSH_TIMEOUT_SECONDS);
            transport.setCredentialsProvider(credential.forUrl(url));
            RemoteRefUpdate update = new RemoteRefUpdate(git, ref, head, ref, true, null, expected);
            RemoteRefUpdate result = transport.push(org.eclipse.jgit.lib.NullProgressMonitor.INSTANCE, List.of(update)).getRemoteUpdate(ref);
            return switch (result.getStatus()) {
                case OK, UP_TO_DATE -> null;
                case REJECTED_REMOTE_CHANGED -> previous == null
                        ? "the branch " + branch + " already exists on the remote and was not pushed by this run; "
                                + "it was left as it is"
                        : "the branch " + branch + " was changed on the remote since this run pushed it; it was "
                                + "left as it is";
                default -> "the remote refused the branch " + branch + ": " + result.getStatus()
                        + (result.getMessage() == null ? "" : " (" + result.getMessage() + ")");
            };
        } catch (Exception e) {
            return "could not push to " + url + ": " + EnvironmentSetup.reason(e);
        }
    }

    static PersonIdent author(String configured) {
        Matcher m = AUTHOR.matcher(configured == null ? "" : configured);
        return m.matches() ? new PersonIdent(m.group(1), m.group(2)) : new PersonIdent("Drover", "drover@localhost");
    }

    static String title(RunItem run) {
        String t = run.title() == null || run.title().isBlank() ? "Changes by run " + run.runId() : run.title().strip();
        String line = t.lines().findFirst().orElse(t);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    static String message(RunItem run, RunDelivery delivery) {
        String message = "Drover run " + run.runId() + ": " + title(run);
        return delivery.sessionLink() == null ? message + "\n" : message + "\n\nSession: " + delivery.sessionLink() + "\n";
    }

    /** The pull request's body: the run's summary (its status message) and the session link. */
    static String body(RunItem run, RunDelivery delivery, Outcome outcome) {
        StringBuilder b = new StringBuilder();
        String summary = outcome.status() == null ? null : outcome.status().message();
        if (summary != null && !summary.isBlank()) {
            b.append(summary.strip()).append("\n\n");
        }
        b.append("Drover run `").append(run.runId()).append("`");
        if (!outcome.eventType().equals("run_succeeded")) {
            b.append(" ended ").append(outcome.eventType().substring("run_".length()).toUpperCase(Locale.ROOT))
                    .append("; this draft holds its changes so far");
        }
        b.append(".\n");
        if (delivery.sessionLink() != null) {
            b.append("\nSession: ").append(delivery.sessionLink()).append("\n");
        }
        return b.toString();
    }
}
