package dev.drover.server.integrations;

import dev.drover.api.ArtifactItem;
import dev.drover.api.ArtifactType;
import dev.drover.api.RunItem;

/**
 * The comments Drover posts on an issue or pull request. Each carries an invisible marker, so that Drover never
 * takes its own comment (which may quote the mention) for a request, whichever account the forge token belongs to.
 */
final class Comments {
    static final String MARKER = "<!-- drover -->";

    private Comments() {}

    static boolean isDrovers(String body) {
        return body != null && body.contains(MARKER);
    }

    static String started(RunItem run) {
        return MARKER + "\nDrover started a run for this: " + run.sessionLink() + "\n";
    }

    /** The run's pull request if it has one, else its final state and status message. */
    static String outcome(RunItem run) {
        String pr = pullRequestUrl(run);
        if (pr != null) {
            return MARKER + "\nDrover's run finished (" + run.state() + ") with a pull request: " + pr + "\n\nSession: "
                    + run.sessionLink() + "\n";
        }
        String why = run.statusMessage() == null || run.statusMessage().message() == null ? ""
                : ": " + oneLine(run.statusMessage().message());
        return MARKER + "\nDrover's run ended " + run.state() + why + "\n\nSession: " + run.sessionLink() + "\n";
    }

    /**
     * The latest PULL_REQUEST artifact's URL, if it is on the forge the issue is on. An agent may record any URL as
     * its pull request, and this comment is posted with the team's forge account: a link elsewhere (a phishing page
     * dressed as the fix) is left out.
     */
    static String pullRequestUrl(RunItem run) {
        if (run.artifacts() == null) {
            return null;
        }
        String issueHost = host(run.metadata() == null ? null : run.metadata().get("drover.forge_issue_url"));
        for (ArtifactItem a : run.artifacts().reversed()) { // the latest one, if the agent opened several
            if (a.artifactType() == ArtifactType.PULL_REQUEST && a.data() != null && a.data().get("url") instanceof String u
                    && issueHost != null && issueHost.equals(host(u))) {
                return u;
            }
        }
        return null;
    }

    private static String host(String url) {
        try {
            java.net.URI uri = url == null ? null : new java.net.URI(url);
            return uri == null || uri.getHost() == null ? null
                    : uri.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + uri.getPort();
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** A status message is one paragraph in a comment; long ones are cut (the session has the rest). */
    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() <= 1000 ? line : line.substring(0, 1000) + "…";
    }
}
