package dev.drover.server.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real git smart-HTTP server for tests: git's own {@code git http-backend} (CGI) behind the JDK's HTTP server,
 * serving the bare repositories under {@code root} at {@code http://127.0.0.1:<port>/<owner>/<repo>.git}. Every
 * request must carry HTTP Basic credentials with the expected token as password (401 with a challenge otherwise,
 * as GitHub answers), and each request's user, method and path are recorded.
 */
public final class GitHttpServer implements AutoCloseable {
    /** What a request carried. */
    public record Request(String method, String path, String user, boolean authorized) {}

    private final HttpServer http;
    private final Path root;
    private final String token;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private GitHttpServer(Path root, String token) throws IOException {
        this.root = root;
        this.token = token;
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", this::handle);
        http.start();
    }

    public static GitHttpServer start(Path root, String token) throws IOException {
        return new GitHttpServer(root, token);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String user = null;
            boolean ok = false;
            if (auth != null && auth.startsWith("Basic ")) {
                String pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                user = colon < 0 ? pair : pair.substring(0, colon);
                ok = colon >= 0 && pair.substring(colon + 1).equals(token);
            }
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), user, ok));
            if (!ok) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            cgi(ex, user);
        }
    }

    /** Runs {@code git http-backend} for one request, as a web server's CGI would. */
    private void cgi(HttpExchange ex, String user) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = pb.environment();
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REMOTE_USER", user);
        env.put("REMOTE_ADDR", "127.0.0.1");
        env.put("REQUEST_METHOD", ex.getRequestMethod());
        env.put("PATH_INFO", ex.getRequestURI().getPath());
        env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
            env.put("CONTENT_TYPE", type);
        }
        String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null) {
            env.put("HTTP_CONTENT_ENCODING", encoding);
        }
        String protocol = ex.getRequestHeaders().getFirst("Git-Protocol");
        if (protocol != null) {
            env.put("GIT_PROTOCOL", protocol);
        }
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread.ofVirtual().start(() -> {
            try (InputStream in = ex.getRequestBody(); OutputStream out = p.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the backend stopped reading; its answer says why
            }
        });
        InputStream out = p.getInputStream();
        int status = 200;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = out.read();
            if (b < 0) {
                break;
            }
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String header = line.toString(StandardCharsets.ISO_8859_1).strip();
            line.reset();
            if (header.isEmpty()) {
                break;
            }
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).strip();
            String value = header.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.substring(0, 3));
            } else {
                ex.getResponseHeaders().add(name, value);
            }
        }
        ex.sendResponseHeaders(status, 0);
        try (OutputStream body = ex.getResponseBody()) {
            out.transferTo(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
