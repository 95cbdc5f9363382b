package dev.drover.server;

import dev.drover.forge.ForgeEndpoint;
import dev.drover.forge.ForgeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code drover serve} can be told. Built by the CLI from flags and environment (flags win), and by
 * tests directly.
 *
 * @param publicUrl base of session links, signed URLs and error type URIs; derived from host and port when null
 * @param teamConcurrency active runs per owner before {@code at_capacity} is reported (0 = no limit)
 * @param env the environment model providers are configured from (OPENAI_API_KEY, ...)
 * @param gitBaseUrl where environments' {@code owner/repo} are cloned from ({@code ${base}/${owner}/${repo}.git}):
 *     an http(s) or file URL or a directory of bare repositories; null means {@code https://github.com}
 * @param forge the forge the repositories live on ({@code DROVER_FORGE}): github, gitlab, gitea, forgejo or none;
 *     null means GitHub when {@code gitBaseUrl} is github.com and no forge otherwise (see {@link #forgeEndpoint()})
 * @param forgeApiUrl the forge's REST API base ({@code DROVER_FORGE_API_URL}); null derives it from {@code gitBaseUrl}
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        String publicUrl,
        String adminApiKey,
        Path modelsFile,
        int teamConcurrency,
        Map<String, String> env,
        Duration leaseDuration,
        String gitBaseUrl,
        String forge,
        String forgeApiUrl) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** How long a worker holds a run without heartbeating before the run is requeued or ended. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    public ServerConfig {
        env = Map.copyOf(env);
        leaseDuration = leaseDuration == null ? DEFAULT_LEASE : leaseDuration;
    }

    public ServerConfig(String host, int port, Path dataDir, String databaseUrl, String databaseUser,
            String databasePassword, String publicUrl, String adminApiKey, Path modelsFile, int teamConcurrency,
            Map<String, String> env) {
        this(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl, adminApiKey, modelsFile,
                teamConcurrency, env, DEFAULT_LEASE, null, null, null);
    }

    public ServerConfig(String host, int port, Path dataDir, String databaseUrl, String databaseUser,
            String databasePassword, String publicUrl, String adminApiKey, Path modelsFile, int teamConcurrency,
            Map<String, String> env, Duration leaseDuration) {
        this(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl, adminApiKey, modelsFile,
                teamConcurrency, env, leaseDuration, null, null, null);
    }

    public ServerConfig withGitBaseUrl(String base) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, leaseDuration, base, forge, forgeApiUrl);
    }

    /** The forge settings as given ({@code --forge}, {@code --forge-api-url}); checked by {@link #forgeEndpoint()}. */
    public ServerConfig withForge(String kind, String apiUrl) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, leaseDuration, gitBaseUrl, kind, apiUrl);
    }

    /**
     * Which forge pull requests are opened on and issues commented on, and where its API is; empty when there is
     * none. The server calls it once at start so that a bad value stops it there.
     *
     * @throws IllegalArgumentException naming {@code DROVER_FORGE} or {@code DROVER_FORGE_API_URL}
     */
    public Optional<ForgeEndpoint> forgeEndpoint() {
        return ForgeSettings.resolve(gitBaseUrl, forge, forgeApiUrl);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, leaseDuration, gitBaseUrl, forge, forgeApiUrl);
    }

    public ServerConfig withLeaseDuration(Duration lease) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, lease, gitBaseUrl, forge, forgeApiUrl);
    }

    /** A configuration for the embedded database in {@code dataDir} on a random port. */
    public static ServerConfig embedded(Path dataDir) {
        return new ServerConfig(DEFAULT_HOST, 0, dataDir, null, null, null, null, null, null, 10, Map.of());
    }

    public ServerConfig withDatabase(String url, String user, String password) {
        return new ServerConfig(host, port, dataDir, url, user, password, publicUrl, adminApiKey, modelsFile,
                teamConcurrency, env, leaseDuration, gitBaseUrl, forge, forgeApiUrl);
    }

    public ServerConfig withAdminApiKey(String key) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl, key,
                modelsFile, teamConcurrency, env, leaseDuration, gitBaseUrl, forge, forgeApiUrl);
    }

    public ServerConfig withEnv(Map<String, String> newEnv) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, newEnv, leaseDuration, gitBaseUrl, forge, forgeApiUrl);
    }

    public ServerConfig withModelsFile(Path file) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, file, teamConcurrency, env, leaseDuration, gitBaseUrl, forge, forgeApiUrl);
    }

    public ServerConfig withTeamConcurrency(int limit) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, limit, env, leaseDuration, gitBaseUrl, forge, forgeApiUrl);
    }

    /**
     * Without secrets: a record's generated text would print the admin key, the database password (also when it
     * is in the URL) and every provider key in {@code env}, and a config ends up in log lines and exception
     * messages sooner or later.
     */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir
                + ", databaseUrl=" + maskUrlPassword(databaseUrl) + ", databaseUser=" + databaseUser
                + ", databasePassword=" + mask(databasePassword) + ", publicUrl=" + publicUrl
                + ", adminApiKey=" + mask(adminApiKey) + ", modelsFile=" + modelsFile
                + ", teamConcurrency=" + teamConcurrency + ", env=" + new java.util.TreeSet<>(env.keySet())
                + ", leaseDuration=" + leaseDuration + ", gitBaseUrl=" + maskUrlPassword(gitBaseUrl)
                + ", forge=" + forge + ", forgeApiUrl=" + maskUrlPassword(forgeApiUrl) + "]";
    }

    private static String mask(String secret) {
        return secret == null ? null : "***";
    }

    /** {@code jdbc:postgresql://h/db?user=u&password=p} and {@code jdbc:postgresql://u:p@h/db} keep their shape. */
    static String maskUrlPassword(String url) {
        return url == null ? null : url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***")
                .replaceAll("(//[^/:@]*:)[^/@]*@", "$1***@");
    }
}
