package dev.drover.worker;

import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK HTTP clients one run talks to its model provider and its MCP servers through, kept so that a cancel (or
 * a lost lease, or the run's time limit) can cut every request in flight: {@link #abort()} shuts each client down,
 * which closes its connections at once — the provider sees the request dropped, the waiting call fails, and any
 * retry the library attempts fails too instead of starting the request again.
 *
 * <p>langchain4j's providers and the MCP SDK's HTTP transports all accept a {@link HttpClient.Builder}; they get
 * {@link #builder()}, whose clients are remembered as they are built.
 */
final class HttpConnections implements AutoCloseable {
    private final List<HttpClient> clients = new CopyOnWriteArrayList<>();
    private volatile boolean aborted;

    /** A builder for a library to make its client with; what it builds is cut by {@link #abort()}. */
    HttpClient.Builder builder() {
        return new Remembering(HttpClient.newBuilder());
    }

    /** langchain4j's JDK client over {@link #builder()}, for a model provider's builder. */
    dev.langchain4j.http.client.HttpClientBuilder forModels() {
        return dev.langchain4j.http.client.jdk.JdkHttpClient.builder().httpClientBuilder(builder());
    }

    /** Closes every connection of every client made so far, and of any made from now on. */
    void abort() {
        aborted = true;
        clients.forEach(HttpClient::shutdownNow);
    }

    boolean aborted() {
        return aborted;
    }

    /**
     * The run is over: its clients are shut down now rather than whenever they are collected (each holds a
     * selector thread), and a call abandoned by a stop cannot outlive the run.
     */
    @Override
    public void close() {
        abort();
    }

    private HttpClient remember(HttpClient client) {
        clients.add(client);
        if (aborted) {
            client.shutdownNow(); // built after the abort, by a retry: it must not reach the server either
        }
        return client;
    }

    /** Delegates every setting; only {@link #build()} differs. */
    private final class Remembering implements HttpClient.Builder {
        private final HttpClient.Builder delegate;

        Remembering(HttpClient.Builder delegate) {
            this.delegate = delegate;
        }

        @Override
        public HttpClient build() {
            return remember(delegate.build());
        }

        @Override
        public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
            delegate.cookieHandler(cookieHandler);
            return this;
        }

        @Override
        public HttpClient.Builder connectTimeout(Duration duration) {
            delegate.connectTimeout(duration);
            return this;
        }

        @Override
        public HttpClient.Builder sslContext(SSLContext sslContext) {
            delegate.sslContext(sslContext);
            return this;
        }

        @Override
        public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
            delegate.sslParameters(sslParameters);
            return this;
        }

        @Override
        public HttpClient.Builder executor(Executor executor) {
            delegate.executor(executor);
            return this;
        }

        @Override
        public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
            delegate.followRedirects(policy);
            return this;
        }

        @Override
        public HttpClient.Builder version(HttpClient.Version version) {
            delegate.version(version);
            return this;
        }

        @Override
        public HttpClient.Builder priority(int priority) {
            delegate.priority(priority);
            return this;
        }

        @Override
        public HttpClient.Builder proxy(ProxySelector proxySelector) {
            delegate.proxy(proxySelector);
            return this;
        }

        @Override
        public HttpClient.Builder authenticator(Authenticator authenticator) {
            delegate.authenticator(authenticator);
            return this;
        }

        @Override
        public HttpClient.Builder localAddress(InetAddress localAddr) {
            delegate.localAddress(localAddr);
            return this;
        }
    }
}
