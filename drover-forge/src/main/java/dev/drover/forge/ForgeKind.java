package dev.drover.forge;

import java.net.URI;
import java.util.Locale;

/** The forges Drover opens pull requests on and comments to. {@link #GITEA} also serves Forgejo (same API). */
public enum ForgeKind {
    GITHUB,
    GITLAB,
    GITEA;

    /**
     * {@code github}, {@code gitlab}, {@code gitea} or {@code forgejo} (any case).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static ForgeKind parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "github" -> GITHUB;
            case "gitlab" -> GITLAB;
            case "gitea", "forgejo" -> GITEA;
            default -> throw new IllegalArgumentException(
                    "forge kind must be github, gitlab, gitea or forgejo, not '" + name + "'");
        };
    }

    /**
     * The REST API base of a forge whose web (and git) base URL is {@code webBase}: github.com's API lives on its own
     * host, GitHub Enterprise Server's under {@code /api/v3}, GitLab's under {@code /api/v4}, Gitea's under
     * {@code /api/v1}. A path in {@code webBase} (a forge served under a prefix) is kept.
     */
    public URI apiBaseFor(URI webBase) {
        if (webBase.getScheme() == null || webBase.getHost() == null
                || !(webBase.getScheme().equals("https") || webBase.getScheme().equals("http"))) {
            throw new IllegalArgumentException("not an http(s) URL: " + webBase);
        }
        if (webBase.getUserInfo() != null || webBase.getQuery() != null || webBase.getFragment() != null) {
            throw new IllegalArgumentException("a forge's base URL has no user, query or fragment: "
                    + webBase.getScheme() + "://" + webBase.getHost() + "/...");
        }
        String base = webBase.toString().replaceAll("/+$", "");
        return URI.create(switch (this) {
            case GITHUB -> isGithubDotCom(webBase) ? "https://api.github.com" : base + "/api/v3";
            case GITLAB -> base + "/api/v4";
            case GITEA -> base + "/api/v1";
        });
    }

    static boolean isGithubDotCom(URI uri) {
        String host = uri.getHost();
        return host != null && (host.equalsIgnoreCase("github.com") || host.equalsIgnoreCase("www.github.com"));
    }
}
