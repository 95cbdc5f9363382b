package dev.drover.server.environments;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Where {@code owner/repo} is cloned from: {@code ${base}/${owner}/${repo}.git}. The base is an http(s) URL
 * ({@code https://github.com}, the default), a {@code file:} URL, or a plain local directory of bare repositories
 * laid out as {@code <root>/<owner>/<repo>.git}. The server resolves clone URLs and sends them in claims, so
 * workers need no git configuration; credentials are the worker's ({@code DROVER_GIT_TOKEN}), never in a URL,
 * so a base with a password in it is refused.
 */
public final class GitSources {
    public static final String DEFAULT_BASE = "https://github.com";
    private static final Set<String> SCHEMES = Set.of("http", "https", "file");

    private final String base;

    private GitSources(String base) {
        this.base = base;
    }

    /** @throws IllegalArgumentException naming the setting, for a base that cannot work */
    public static GitSources of(String configured) {
        String raw = configured == null || configured.isBlank() ? DEFAULT_BASE : configured.strip();
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("git base URL: not a URL or directory: " + raw);
        }
        if (uri.getScheme() == null) {
            // a plain directory of bare repositories
            String dir = Path.of(raw).toAbsolutePath().normalize().toUri().toString();
            return new GitSources(trimSlash(dir));
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("git base URL: scheme " + scheme + " is not supported; use https://, "
                    + "http://, file:// or a directory");
        }
        if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
            throw new IllegalArgumentException("git base URL: must not contain a password; set DROVER_GIT_TOKEN "
                    + "where the workers run instead");
        }
        return new GitSources(trimSlash(raw));
    }

    private static String trimSlash(String s) {
        String out = s;
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }

    public String base() {
        return base;
    }

    /** The URL {@code owner/repo} is cloned from; both parts were checked when the environment was saved. */
    public String cloneUrl(String owner, String repo) {
        return base + "/" + owner + "/" + repo + ".git";
    }

    @Override
    public String toString() {
        return base;
    }
}
