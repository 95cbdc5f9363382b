package dev.drover.server;

import java.util.function.Supplier;

/**
 * The externally visible base URL ({@code DROVER_PUBLIC_URL}); when not configured it is derived from the bound
 * address, which is known only after the web server has started on its (possibly random) port.
 */
public final class PublicUrl implements Supplier<String> {
    private final String configured;
    private volatile String value;

    public PublicUrl(String configured) {
        this.configured = configured == null || configured.isBlank() ? null : stripSlash(configured);
        this.value = this.configured;
    }

    void bind(String host, int port) {
        if (configured == null) {
            String h = host == null || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
            value = "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
        }
    }

    @Override
    public String get() {
        if (value == null) {
            throw new IllegalStateException("public URL requested before the server was bound");
        }
        return value;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
