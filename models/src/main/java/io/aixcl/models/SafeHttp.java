package io.aixcl.models;

import io.aixcl.core.AixclException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The store's only way onto the network: every URL is checked by {@link UrlPolicy} before it is contacted, and
 * redirects are followed here, one hop at a time, so each target is checked too. Requests go out on Apache
 * HttpClient 5 (classic, blocking: a body is read by the caller's thread straight from the socket into the caller's
 * buffer), with a connection pool so a ranged download's chunks reuse their connections and TLS sessions. The
 * client's own redirect handling, retries, content decompression, cookies and authentication are off: redirects
 * are this class's, retries and stall detection its callers' ({@link RangedDownload}, {@link MetadataRequests}).
 */
final class SafeHttp implements AutoCloseable {
    private static final int MAX_REDIRECTS = 8;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final TimeValue IDLE = TimeValue.ofSeconds(20);
    private static final int MAX_LINE = 64 * 1024; // a response's status, header or chunk-size line
    private static final int MAX_HEADERS = 256;
    static final String USER_AGENT = "aixcl/0.1";
    // A direct read's array for what HttpClient copies itself: what it read with the head (its buffer is 8 KiB), or
    // decrypted TLS (a record is at most 16 KiB).
    private static final int SCRATCH = 64 * 1024;

    private final EnvProxySelector proxies;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final int connectionsPerHost;
    private final SSLContext tls;
    private Client client; // guarded by this; built on first use (the daemon builds the store before any pull)
    private boolean closed; // guarded by this

    private record Client(PoolingHttpClientConnectionManager pool, CloseableHttpClient http) {}

    /**
     * {@code responseTimeout}: how long a response head, and each read of a body, may take;
     * {@code connectionsPerHost}: the pool's size per host (a ranged download's connections, for a few blobs at
     * once); {@code tls}: the trust for https, or null for the JDK's default.
     */
    SafeHttp(EnvProxySelector proxies, Duration connectTimeout, Duration responseTimeout, int connectionsPerHost, SSLContext tls) {
        this.proxies = proxies;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        this.connectionsPerHost = connectionsPerHost;
        this.tls = tls;
    }

    SafeHttp(EnvProxySelector proxies, Duration connectTimeout, Duration responseTimeout, int connectionsPerHost) {
        this(proxies, connectTimeout, responseTimeout, connectionsPerHost, null);
    }

    private synchronized Client client() throws IOException {
        if (closed) {
            throw new AixclException.Cancelled("the model store is closed");
        }
        if (client == null) {
            client = build();
        }
        client.pool().closeIdle(IDLE); // what the server has most likely closed by now
        return client;
    }

    private Client build() throws IOException {
        SSLContext context;
        try {
            context = tls != null ? tls : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS: " + e.getMessage(), e);
        }
        Timeout response = Timeout.of(responseTimeout);
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManagerBuilder() {
                    @Override
                    protected HttpClientConnectionOperator createConnectionOperator(
                            SchemePortResolver ports, DnsResolver dns, TlsSocketStrategy tlsStrategy) {
                        return new DefaultHttpClientConnectionOperator(SafeHttp::socket, ports, dns,
                                RegistryBuilder.<TlsSocketStrategy>create().register(URIScheme.HTTPS.id, tlsStrategy).build());
                    }
                }
                // Bounded response heads: HttpClient's defaults read header lines and counts without limit.
                .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom().setMaxLineLength(MAX_LINE).setMaxHeaderCount(MAX_HEADERS).build())
                        .build())
                // The JDK's own host name check (endpoint identification "HTTPS") with the JDK's trust.
                .setTlsSocketStrategy(new DefaultClientTlsStrategy(context, HostnameVerificationPolicy.BUILTIN, null))
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(response).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(response)
                        // A pooled connection idle this long is checked before reuse: the server may have closed it.
                        .setValidateAfterInactivity(TimeValue.ofMilliseconds(500))
                        .build())
                .setMaxConnPerRoute(connectionsPerHost)
                .setMaxConnTotal(connectionsPerHost * 2)
                .build();
        CloseableHttpClient http = HttpClients.custom()
                .setConnectionManager(pool)
                .setProxySelector(proxies)
                .setUserAgent(USER_AGENT)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(response)
                        // Waiting for a pooled connection is not a failure: other downloads are using them.
                        .setConnectionRequestTimeout(Timeout.ofMinutes(10))
                        .setRedirectsEnabled(false)
                        .setAuthenticationEnabled(false)
                        .setContentCompressionEnabled(false)
                        .setProtocolUpgradeEnabled(false)
                        .build())
                .build();
        return new Client(pool, http);
    }

    /**
     * A socket on a {@code SocketChannel} ({@link ChannelSocket}): its stream reads as much as the caller asks in one
     * system call (a plain {@code Socket}'s reads stop at 128 KiB; with four connections at loopback speed the
     * kernel's per-read work was a visible share of a pull's CPU), and a plain-http body read into a direct buffer
     * lands there with no copy. Proxies are routes, never SOCKS, here.
     */
    private static Socket socket(Proxy socks) throws IOException {
        if (socks != null && socks.type() != Proxy.Type.DIRECT) {
            throw new IOException("SOCKS proxies are not supported");
        }
        return new ChannelSocket();
    }

    /**
     * A final (non-redirect) response and the URL that gave it. Its body is read with {@link #read} or
     * {@link #body()}; closing it ends the exchange: a body read to its end gives the connection back to the pool,
     * any other is aborted, which closes the socket at once (and so breaks a read blocked in another thread).
     */
    static final class Response implements Closeable {
        private final URI uri;
        private final HttpUriRequestBase request;
        private final ClassicHttpResponse response;
        private final InputStream content; // null: no body (HEAD, 204, 304), the connection is back in the pool
        private final boolean empty; // Content-Length: 0 (a redirect's, say): ending it costs no read
        private final boolean tls;
        private ChannelSocket.Target direct; // made on the first read into a direct buffer
        private volatile boolean ended;

        private Response(URI uri, HttpUriRequestBase request, ClassicHttpResponse response, boolean tls) throws IOException {
            this.uri = uri;
            this.request = request;
            this.response = response;
            this.tls = tls;
            HttpEntity entity = response.getEntity();
            InputStream in = null;
            try {
                in = entity == null ? null : entity.getContent();
            } finally {
                if (entity != null && in == null) {
                    request.cancel();
                }
            }
            this.content = in;
            this.empty = entity != null && entity.getContentLength() == 0;
            this.ended = in == null;
        }

        URI uri() {
            return uri;
        }

        int status() {
            return response.getCode();
        }

        Optional<String> header(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? Optional.empty() : Optional.of(h.getValue());
        }

        /** The Content-Length header's value, or -1 without one. */
        long contentLength() {
            try {
                return header("Content-Length").map(v -> Long.parseLong(v.strip())).orElse(-1L);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        HttpHeaders headers() {
            Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (Header h : response.getHeaders()) {
                map.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
            }
            return HttpHeaders.of(map, (n, v) -> true);
        }

        /**
         * Reads body bytes into {@code dst}; -1 at the end of the body. A body cut short of its Content-Length is an
         * {@link IOException}. Into a heap buffer HttpClient reads the socket straight into its array; into a direct
         * one, on plain http, the socket's channel reads straight into it ({@link ChannelSocket}), so a file channel
         * writes it with no copy either (a heap buffer is copied into a direct one of the JDK's for that).
         */
        int read(ByteBuffer dst) throws IOException {
            if (ended) {
                return -1;
            }
            int n;
            if (dst.hasArray()) {
                n = content.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            } else {
                if (direct == null) {
                    direct = new ChannelSocket.Target(new byte[SCRATCH]);
                }
                // TLS: HttpClient decrypts into the array, which must hold what it is asked for.
                n = ChannelSocket.readInto(content::read, dst, tls ? SCRATCH : dst.remaining(), direct);
            }
            if (n < 0) {
                ended = true; // the client gave the connection back to the pool at this end
            } else if (dst.hasArray()) {
                dst.position(dst.position() + n);
            }
            return n;
        }

        /**
         * Whether the last read into a direct buffer, on plain http, took all the socket had (the channel gave fewer
         * bytes than it was asked for): what had arrived is in the buffer, and the next read would wait for the network.
         */
        boolean drained() {
            return direct != null && direct.drained();
        }

        InputStream body() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    int n = ended ? -1 : content.read(b, off, len);
                    if (n < 0) {
                        ended = true;
                    }
                    return n;
                }

                @Override
                public void close() {
                    Response.this.close();
                }
            };
        }

        /** Idempotent, and safe from another thread while a read is blocked (the read then fails). */
        @Override
        public void close() {
            if (!ended && empty) {
                synchronized (this) {
                    try {
                        ended = content.read() < 0; // no I/O: the end of an empty body gives the connection back
                    } catch (IOException e) {
                        // dropped below
                    }
                }
            }
            if (!ended) {
                request.cancel(); // drops the connection: reading the rest to reuse it could take as long as the body
            }
        }
    }

    /** Closes the connections kept alive for reuse; later requests are refused ({@link AixclException.Cancelled}). */
    @Override
    public void close() {
        Client c;
        synchronized (this) {
            closed = true;
            c = client;
            client = null;
        }
        if (c != null) {
            c.http().close(CloseMode.IMMEDIATE);
        }
    }

    Response get(URI uri, Map<String, String> headers, boolean allowInsecureHttp) throws IOException, InterruptedException {
        return send("GET", uri, headers, allowInsecureHttp, true);
    }

    Response head(URI uri, boolean allowInsecureHttp, boolean followRedirects) throws IOException, InterruptedException {
        return send("HEAD", uri, Map.of(), allowInsecureHttp, followRedirects);
    }

    private Response send(String method, URI start, Map<String, String> headers, boolean allowInsecureHttp,
                          boolean followRedirects) throws IOException, InterruptedException {
        UrlPolicy.check(start, allowInsecureHttp);
        URI uri = start;
        for (int hop = 0; ; hop++) {
            if (!proxies.bypasses(uri) && proxies.problem().isPresent()) {
                throw new AixclException.Failed("cannot reach " + uri.getHost() + " through the configured proxy: "
                        + proxies.problem().get(), null);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            var request = new HttpUriRequestBase(method, uri);
            headers.forEach(request::addHeader);
            var context = HttpClientContext.create();
            ClassicHttpResponse raw = client().http().executeOpen(null, request, context);
            if ("https".equalsIgnoreCase(uri.getScheme()) && context.getSSLSession() == null) {
                // No TLS with the target: the answer is the proxy's to CONNECT (HttpClient returns it as the response).
                raw.close();
                throw new IOException("the proxy refused a tunnel to " + uri.getHost() + ":"
                        + (uri.getPort() < 0 ? 443 : uri.getPort()) + " (HTTP " + raw.getCode() + ")");
            }
            var result = new Response(uri, request, raw, context.getSSLSession() != null);
            if (!followRedirects || !REDIRECTS.contains(result.status())) {
                return result;
            }
            result.close();
            URI from = uri;
            String location = result.header("Location").orElseThrow(() -> new AixclException.Failed(
                    "HTTP " + result.status() + " from " + UrlPolicy.redact(from) + " without a Location", null));
            if (hop >= MAX_REDIRECTS) {
                throw new AixclException.Failed("more than " + MAX_REDIRECTS + " redirects starting at " + UrlPolicy.redact(start), null);
            }
            URI next;
            try {
                next = uri.resolve(URI.create(location.strip()));
            } catch (IllegalArgumentException e) {
                throw new AixclException.Failed("invalid redirect Location from " + UrlPolicy.redact(uri), null);
            }
            UrlPolicy.checkRedirect(uri, next, allowInsecureHttp);
            uri = next;
        }
    }
}
