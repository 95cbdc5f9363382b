package dev.drover.server.testing;

import dev.drover.server.DroverServer;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Principal;

/** A real Drover server on a random port, on the given backend, with a known admin key. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_KEY = "drv_testAdminKey000000000000000000000000000000";

    private final DroverServer server;
    private final Backend backend;

    private TestServer(DroverServer server, Backend backend) {
        this.server = server;
        this.backend = backend;
    }

    public static TestServer start(Backend backend) {
        return new TestServer(DroverServer.start(backend.freshConfig()), backend);
    }

    public static TestServer start(Backend backend, ServerConfig config) {
        return new TestServer(DroverServer.start(config), backend);
    }

    /** A server whose time is {@code clock}'s (a {@link MovableClock} lets a test fire schedules at will). */
    public static TestServer start(Backend backend, ServerConfig config, java.time.Clock clock) {
        return new TestServer(DroverServer.start(config, clock), backend);
    }

    public DroverServer server() {
        return server;
    }

    public Backend backend() {
        return backend;
    }

    public String apiBaseUrl() {
        return server.apiBaseUrl();
    }

    /** An HTTP client authenticated as the bootstrap admin (a user in the default team). */
    public Api admin() {
        return new Api(server.apiBaseUrl(), ADMIN_KEY);
    }

    /** An HTTP client with no credentials. */
    public Api anonymous() {
        return new Api(server.apiBaseUrl(), null);
    }

    /** A new user in a new team of its own, so its resources are foreign to everybody else. */
    public Api newTenant(String name) {
        String team = server.accounts().ensureTeam("team-" + name);
        Principal user = server.accounts().ensurePrincipal(Principal.Kind.USER, name + "@example.com", team, false);
        return new Api(server.apiBaseUrl(), server.accounts().createKey(user, "test key", null).secret());
    }

    /** A worker key: a new service account whose key may register workers and claim runs. */
    public Api newWorkerKey(String name) {
        Principal sa = server.accounts().ensurePrincipal(Principal.Kind.SERVICE_ACCOUNT, name, null, false);
        return new Api(server.apiBaseUrl(), server.accounts().createKey(sa, "worker key",
                null, dev.drover.server.auth.Accounts.WORKER_KEY).secret());
    }

    @Override
    public void close() {
        server.close();
    }
}
