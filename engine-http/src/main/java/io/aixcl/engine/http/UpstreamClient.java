package io.aixcl.engine.http;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.InferenceException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP side of one upstream: a Jetty client with a keep-alive connection pool sized for the gateway's
 * concurrency, the bearer token (if any), and blocking exchanges for the control calls (list, load, unload).
 */
final class UpstreamClient implements AutoCloseable {

    private static final String JSON = "application/json";

    private final UpstreamConfig config;
    private final HttpClient http;
    private final ConcurrentHashMap<String, URI> uris = new ConcurrentHashMap<>();
    private volatile HttpField authorization;

    UpstreamClient(UpstreamConfig config, String threadName) {
        this.config = requireNonNull(config, "config is null");
        var threads = new QueuedThreadPool(Math.max(8, Runtime.getRuntime().availableProcessors() * 4), 2);
        threads.setName(threadName);
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(config.connectTimeout().toMillis());
        http.setMaxConnectionsPerDestination(config.maxConnections());
        http.setMaxRequestsQueuedPerDestination(Math.max(1024, config.maxConnections() * 16));
        http.setFollowRedirects(false);
        // Heap buffers: the decoders parse JSON straight out of the read buffer's array.
        http.setUseInputDirectByteBuffers(false);
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "aixcl"));
        // No gzip: a compressed event stream would be held back by the compressor; the bodies are small anyway.
        http.getContentDecoderFactories().clear();
        // An inference API sets no cookies; with a real store Jetty rebuilds and matches the request URI every time.
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        // The response listeners never block (UpstreamGeneration decodes under its own lock and hands events to
        // queues or completions; a gateway writes its answer asynchronously): Jetty may run them on the selector
        // thread that read the bytes rather than hand each response to a pool thread.
        http.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        // Answers are decoded and completed on the selector that read them (above): one selector per core, or every
        // answer of every connection is finished by one thread.
        http.getClientConnector().setSelectors(Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())));
        if ("http".equalsIgnoreCase(config.baseUrl().getScheme())) {
            // A plain-HTTP upstream (the stack's own engine on loopback) never speaks TLS: its factory stays
            // unstarted, since starting one reads the JDK's trust store (~150 certificates, ~180 classes) into a
            // daemon that idles with it.
            SslContextFactory.Client unused = new SslContextFactory.Client();
            http.setSslContextFactory(unused);
            http.getClientConnector().unmanage(unused);
        }
    }

    UpstreamConfig config() {
        return config;
    }

    Executor executor() {
        return http.getExecutor();
    }

    void start() {
        authorization = config.apiKeyFile().map(file -> {
            try {
                String key = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (key.isEmpty() || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new InferenceException.EngineUnavailable("the API key file " + file
                            + " must hold one token of printable ASCII characters", null);
                }
                return new HttpField(HttpHeader.AUTHORIZATION, "Bearer " + key);
            } catch (IOException e) {
                throw new InferenceException.EngineUnavailable(
                        "cannot read the API key file " + file + ": " + e.getClass().getSimpleName(), null);
            }
        }).orElse(null);
        try {
            http.start();
            // Jetty's handlers (added at start) would turn a 401 without WWW-Authenticate, as OpenAI and vLLM send
            // it, into a protocol error; redirects and 100-continue are nothing an inference API does.
            http.getProtocolHandlers().clear();
        } catch (Exception e) {
            throw new InferenceException.EngineUnavailable("cannot start the HTTP client: " + e.getMessage(), e);
        }
    }

    /** A request to {@code path} under the base URL, with the credentials. */
    Request request(HttpMethod method, String path) {
        // A handful of paths: each parsed once, not per generation.
        URI uri = uris.computeIfAbsent(path, p -> URI.create(config.url(p)));
        Request request = http.newRequest(uri).method(method);
        HttpField auth = authorization;
        if (auth != null) {
            request.headers(headers -> headers.put(auth));
        }
        return request;
    }

    /** A generation's POST: its JSON body; the caller adds listeners and sends it. */
    Request post(String path, byte[] json, String accept) {
        return request(HttpMethod.POST, path)
                .accept(accept)
                .body(new BytesRequestContent(JSON, json))
                // Jetty's own idle timer only backstops the generation's first-byte and idle deadlines.
                .idleTimeout(config.firstByteTimeout().plus(config.idleTimeout()).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** An exchange that waits for the whole answer (control calls only). */
    Answer exchange(HttpMethod method, String path, byte[] json, Duration timeout) {
        Request request = request(method, path).accept(JSON).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (json != null) {
            request.body(new BytesRequestContent(JSON, json));
        }
        var committed = new AtomicBoolean();
        request.onRequestCommit(r -> committed.set(true));
        try {
            ContentResponse response = request.send();
            return new Answer(response.getStatus(), response.getMediaType(), response.getContent());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException.EngineUnavailable("interrupted during " + method + " " + path, e);
        } catch (TimeoutException e) {
            throw new InferenceException.EngineUnavailable(method + " " + config.url(path) + " got no answer within "
                    + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw UpstreamFailures.transport(method + " " + config.url(path), e.getCause(), committed.get());
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // Stopping aborts what is in flight; nothing else to release.
        }
    }

    /** A whole answer to a control call. */
    record Answer(int status, String mediaType, byte[] body) {

        boolean ok() {
            return status / 100 == 2;
        }

        String message() {
            return Json.errorMessage(body, body.length);
        }
    }
}
