package dev.drover.forge;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The forge of a deployment from its settings: the git base URL repositories are cloned from, the configured kind
 * ({@code DROVER_FORGE}) and the configured API URL ({@code DROVER_FORGE_API_URL}).
 *
 * <ul>
 *   <li>kind {@code none}: no forge, whatever else is set;</li>
 *   <li>no kind: GitHub when the git base is github.com, otherwise no forge (a self-hosted host could be any of them);</li>
 *   <li>no API URL: derived from the git base URL ({@link ForgeKind#apiBaseFor}); a git base that is a directory or a
 *       {@code file://} URL has no API, so a kind without an API URL is an error there.</li>
 * </ul>
 */
public final class ForgeSettings {
    public static final String KIND_SETTING = "DROVER_FORGE";
    public static final String API_URL_SETTING = "DROVER_FORGE_API_URL";

    private ForgeSettings() {}

    /**
     * @param gitBaseUrl the git base URL as configured; null means https://github.com
     * @param kind github, gitlab, gitea, forgejo, none, or null/blank when not configured
     * @param apiUrl the API base, or null/blank to derive it
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static Optional<ForgeEndpoint> resolve(String gitBaseUrl, String kind, String apiUrl) {
        String k = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
        String api = apiUrl == null ? "" : apiUrl.strip();
        if (k.equals("none")) {
            return Optional.empty();
        }
        ForgeKind forgeKind;
        if (k.isEmpty()) {
            URI git = webUrl(gitBaseUrl);
            if (git == null || !ForgeKind.isGithubDotCom(git)) {
                if (!api.isEmpty()) {
                    throw new IllegalArgumentException(API_URL_SETTING + ": set " + KIND_SETTING
                            + " too (github, gitlab, gitea or forgejo): the kind of forge at " + api + " is not known");
                }
                return Optional.empty();
            }
            forgeKind = ForgeKind.GITHUB;
        } else {
            try {
                forgeKind = ForgeKind.parse(k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(KIND_SETTING + ": must be github, gitlab, gitea, forgejo or none, not '"
                        + kind + "'");
            }
        }
        if (!api.isEmpty()) {
            return Optional.of(new ForgeEndpoint(forgeKind, apiUrl(api)));
        }
        URI git = webUrl(gitBaseUrl);
        if (git == null) {
            throw new IllegalArgumentException(API_URL_SETTING + ": required with " + KIND_SETTING + "=" + k
                    + " when the git base URL is not an http(s) URL to derive it from");
        }
        return Optional.of(new ForgeEndpoint(forgeKind, forgeKind.apiBaseFor(git)));
    }

    /** The git base as an http(s) URL without credentials, or null when it is a directory or file URL. */
    private static URI webUrl(String gitBaseUrl) {
        String raw = gitBaseUrl == null || gitBaseUrl.isBlank() ? "https://github.com" : gitBaseUrl.strip();
        if (!raw.startsWith("https://") && !raw.startsWith("http://")) {
            return null;
        }
        try {
            URI uri = new URI(raw);
            return uri.getHost() == null ? null
                    : new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static URI apiUrl(String api) {
        URI uri;
        try {
            uri = new URI(api.replaceAll("/+$", ""));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(API_URL_SETTING + ": not a URL: " + e.getMessage());
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(API_URL_SETTING + ": must be an http(s) URL");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(API_URL_SETTING + ": must have no credentials, query or fragment; "
                    + "tokens are given separately");
        }
        return uri;
    }
}
