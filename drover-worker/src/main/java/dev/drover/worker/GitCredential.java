package dev.drover.worker;

import dev.drover.api.ClaimedRun;
import dev.drover.api.RunSecret;
import java.util.Locale;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The token a run's git traffic goes out with — its clones, its push and its forge calls, and nothing else: the
 * environment's {@code git_secret} when it names one (the claim's secret of use {@code git}), else the worker's own
 * {@code DROVER_GIT_TOKEN}. A run whose environment names a secret the claim did not carry gets no token at all,
 * never the worker's in its place: the server chose who the run acts as on the forge, and the worker does not widen
 * that.
 *
 * <p>The token is handed to JGit as the password of user {@code x-access-token} (what GitHub expects for tokens;
 * GitLab and Gitea take any user with a token) for http(s) only, and to the forge client as its token: never part of
 * a URL, so never in a clone's {@code .git/config}, a log or the transcript, and never in a process's environment.
 */
final class GitCredential {
    static final String USER = "x-access-token";

    private final String token;
    private final String secretName;
    private final String missing;

    private GitCredential(String token, String secretName, String missing) {
        this.token = token;
        this.secretName = secretName;
        this.missing = missing;
    }

    /** The worker's own token (null when it has none). */
    static GitCredential worker(String workerToken) {
        return new GitCredential(workerToken, null, null);
    }

    static GitCredential forRun(ClaimedRun claimed, String workerToken) {
        String named = claimed.environment() == null ? null : claimed.environment().gitSecret();
        if (named == null && claimed.delivery() != null) {
            named = claimed.delivery().credential();
        }
        if (named == null) {
            return worker(workerToken);
        }
        String wanted = named;
        RunSecret secret = claimed.secrets() == null ? null : claimed.secrets().stream()
                .filter(s -> RunSecret.GIT.equals(s.use()) && wanted.equals(s.name())).findFirst().orElse(null);
        return secret == null
                ? new GitCredential(null, named, "the run's git credential " + named + " was not given to this worker")
                : new GitCredential(secret.value(), named, null);
    }

    /** The token, or null: no credential (the worker has none, or the run's was not given). */
    String token() {
        return token;
    }

    /** Why the run's credential is not at hand (the push is refused then); null when it is, or it is the worker's. */
    String missing() {
        return missing;
    }

    /** Where the token comes from, for the transcript: {@code secret NAME}, or {@code worker}. */
    String source() {
        return secretName == null ? "worker" : "secret " + secretName;
    }

    /** For JGit: the token as a password for an http(s) URL; null for other URLs (file://, a directory). */
    CredentialsProvider forUrl(String url) {
        String scheme = url.substring(0, Math.max(0, url.indexOf(':'))).toLowerCase(Locale.ROOT);
        if (token == null || !(scheme.equals("https") || scheme.equals("http"))) {
            return null;
        }
        return new UsernamePasswordCredentialsProvider(USER, token);
    }

    @Override
    public String toString() {
        return "GitCredential[" + source() + "]"; // never the token
    }
}
