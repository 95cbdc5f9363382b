package dev.drover.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything {@code drover serve} can be told. Built by the CLI from flags and environment (flags win), and by
 * tests directly.
 *
 * @param publicUrl base of session links, signed URLs and error type URIs; derived from host and port when null
 * @param teamConcurrency active runs per owner before {@code at_capacity} is reported (0 = no limit)
 * @param env the environment model providers are configured from (OPENAI_API_KEY, ...)
 * @param gitBaseUrl where environments' {@code owner/repo} are cloned from ({@code ${base}/${owner}/${repo}.git}):
 *     an http(s) or file URL or a directory of bare repositories; null means {@code https://github.com}
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
        String gitBaseUrl) {

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
                teamConcurrency, env, DEFAULT_LEASE, null);
    }

    public ServerConfig(String host, int port, Path dataDir, String databaseUrl, String databaseUser,
            String databasePassword, String publicUrl, String adminApiKey, Path modelsFile, int teamConcurrency,
            Map<String, String> env, Duration leaseDuration) {
        this(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl, adminApiKey, modelsFile,
                teamConcurrency, env, leaseDuration, null);
    }

    public ServerConfig withGitBaseUrl(String base) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, leaseDuration, base);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, leaseDuration, gitBaseUrl);
    }

    public ServerConfig withLeaseDuration(Duration lease) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, env, lease, gitBaseUrl);
    }

    /** A configuration for the embedded database in {@code dataDir} on a random port. */
    public static ServerConfig embedded(Path dataDir) {
        return new ServerConfig(DEFAULT_HOST, 0, dataDir, null, null, null, null, null, null, 10, Map.of());
    }

    public ServerConfig withDatabase(String url, String user, String password) {
        return new ServerConfig(host, port, dataDir, url, user, password, publicUrl, adminApiKey, modelsFile,
                teamConcurrency, env, leaseDuration, gitBaseUrl);
    }

    public ServerConfig withAdminApiKey(String key) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl, key,
                modelsFile, teamConcurrency, env, leaseDuration, gitBaseUrl);
    }

    public ServerConfig withEnv(Map<String, String> newEnv) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, teamConcurrency, newEnv, leaseDuration, gitBaseUrl);
    }

    public ServerConfig withModelsFile(Path file) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, file, teamConcurrency, env, leaseDuration, gitBaseUrl);
    }

    public ServerConfig withTeamConcurrency(int limit) {
        return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword, publicUrl,
                adminApiKey, modelsFile, limit, env, leaseDuration, gitBaseUrl);
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
                + ", leaseDuration=" + leaseDuration + ", gitBaseUrl=" + maskUrlPassword(gitBaseUrl) + "]";
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
