package dev.drover.server.webhooks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.security.NoSuchAlgorithmException;

/**
 * One HTTP/1.1 POST to an address that {@link WebhookTargets} has just checked. The JDK's HttpClient resolves the
 * host name itself when it connects, a second lookup that a rebinding DNS server can answer differently from the
 * check; so the request is written on a socket connected to the checked address. TLS runs over that socket with the
 * URL's host as SNI name and the usual hostname verification, so a certificate must still match the name. The whole
 * attempt (connect, TLS, write, status line) is bounded by one timeout; redirects are not followed; only the status
 * line of the response is read.
 */
public final class WebhookSender {
    private static final int MAX_STATUS_LINE = 8192;

    /** How an attempt went: a status code and how long it took, or why no status came back. */
    public record Attempt(Integer status, long latencyMs, String error) {
        public boolean succeeded() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private final Duration timeout;

    public WebhookSender(Duration timeout) {
        this.timeout = timeout;
    }

    public Attempt post(URI url, List<InetAddress> addresses, Map<String, String> headers, byte[] body) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            int status = exchange(url, addresses, headers, body, deadline);
            long ms = (System.nanoTime() - start) / 1_000_000;
            return new Attempt(status, ms, status >= 200 && status < 300 ? null : "HTTP " + status);
        } catch (SocketTimeoutException e) {
            return new Attempt(null, (System.nanoTime() - start) / 1_000_000,
                    "timed out after " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new Attempt(null, (System.nanoTime() - start) / 1_000_000, describe(e));
        }
    }

    private int exchange(URI url, List<InetAddress> addresses, Map<String, String> headers, byte[] body, long deadline)
            throws IOException {
        boolean tls = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        try (Socket socket = connect(url, addresses, port, tls, deadline)) {
            OutputStream out = socket.getOutputStream();
            out.write(head(url, port, tls, headers, body.length).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (true) {
                socket.setSoTimeout(remainingMillis(deadline));
                int status = parseStatus(readLine(in));
                if (status >= 200 || status < 100) {
                    return status;
                }
                skipHeaders(in); // a 1xx interim response: the final one follows
            }
        }
    }

    private Socket connect(URI url, List<InetAddress> addresses, int port, boolean tls, long deadline)
            throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) { // the checked addresses, never a fresh lookup
            Socket plain = new Socket();
            try {
                plain.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
                plain.setSoTimeout(remainingMillis(deadline));
                return tls ? wrap(plain, WebhookTargets.hostOf(url), port) : plain;
            } catch (IOException e) {
                plain.close();
                last = e;
                if (e instanceof SocketTimeoutException) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static Socket wrap(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port, true);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS available", e);
        }
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must match the URL's host
        if (!host.contains(":") && !host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            params.setServerNames(List.of(new SNIHostName(host))); // SNI carries names, never literals
        }
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        return ssl;
    }

    private static String head(URI url, int port, boolean tls, Map<String, String> headers, int length) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        StringBuilder b = new StringBuilder()
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.getHost()).append(defaultPort ? "" : ":" + port).append("\r\n")
                .append("User-Agent: Drover-Webhooks/1\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(length).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        return b.append("\r\n").toString();
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed before a response");
            }
            if (line.size() >= MAX_STATUS_LINE) {
                throw new IOException("the response's first line is too long");
            }
            line.write(c);
        }
        return line.toString(StandardCharsets.ISO_8859_1).strip();
    }

    private static void skipHeaders(InputStream in) throws IOException {
        while (!readLine(in).isEmpty()) {
            // headers of an interim response carry nothing we use
        }
    }

    /** {@code HTTP/1.1 204 No Content} → 204. */
    static int parseStatus(String line) throws IOException {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response");
        }
        try {
            int status = Integer.parseInt(parts[1]);
            if (status < 100 || status > 999) {
                throw new NumberFormatException();
            }
            return status;
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status code");
        }
    }

    /** The failure's kind, in words that never repeat the URL (it may hold a token in its path or query). */
    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed: " + e.getMessage();
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName().toLowerCase(Locale.ROOT)
                .replace("exception", "") + ": " + message;
    }
}
