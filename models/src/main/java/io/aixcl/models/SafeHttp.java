package io.aixcl.models;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The store's only way onto the network: every URL is checked by {@link UrlPolicy} before it is contacted, and
 * redirects are followed here, one hop at a time, so each target is checked too (the JDK's own redirect
 * following would not ask).
 */
final class SafeHttp {
    private static final int MAX_REDIRECTS = 8;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    static final String USER_AGENT = "aixcl/0.1";
    /** Read size of the JDK client's socket reads; its default of 16 KiB costs more per byte than the SHA-256. */
    static final String READ_BUFFER = "262144";

    static {
        // Read once, when the JDK's HTTP client first loads: effective only if no HttpClient was made before (the
        // daemon's launcher passes it on the command line for that reason).
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", READ_BUFFER);
        }
    }

    private final HttpClient client;
    private final EnvProxySelector proxies;
    private final Duration headersTimeout;

    SafeHttp(EnvProxySelector proxies, Duration connectTimeout, Duration headersTimeout) {
        this.proxies = proxies;
        this.headersTimeout = headersTimeout;
        // HTTP/1.1: parallel ranges should be parallel TCP connections, not streams sharing one.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .proxy(proxies)
                .build();
    }

    /** A final (non-redirect) response and the URL that gave it. Closing it closes the body. */
    record Response(URI uri, HttpResponse<InputStream> raw) implements AutoCloseable {
        int status() {
            return raw.statusCode();
        }

        Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }

        long contentLength() {
            return raw.headers().firstValueAsLong("Content-Length").orElse(-1);
        }

        InputStream body() {
            return raw.body();
        }

        @Override
        public void close() {
            try {
                raw.body().close();
            } catch (IOException ignored) {
                // closing a response we are done with
            }
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
            var builder = HttpRequest.newBuilder(uri).timeout(headersTimeout).header("User-Agent", USER_AGENT);
            headers.forEach(builder::header);
            builder.method(method, HttpRequest.BodyPublishers.noBody());
            HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            var result = new Response(uri, response);
            if (!followRedirects || !REDIRECTS.contains(response.statusCode())) {
                return result;
            }
            result.close();
            String location = response.headers().firstValue("Location").orElseThrow(() -> new AixclException.Failed(
                    "HTTP " + response.statusCode() + " from " + UrlPolicy.redact(response.uri()) + " without a Location", null));
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
