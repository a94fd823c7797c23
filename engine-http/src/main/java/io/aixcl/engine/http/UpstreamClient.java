package io.aixcl.engine.http;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.InferenceException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * The HTTP side of one upstream: keep-alive connections pooled per event loop of the {@link EngineLoops}, the bearer
 * token (if any), and blocking exchanges for the control calls (list, load, unload). An exchange started on one of
 * those loops (a gateway's, serving a whole answer) goes out on a connection of that same loop, so its answer comes
 * back on the thread that writes it to the client; from any other thread, a loop is picked round robin.
 */
final class UpstreamClient implements AutoCloseable {

    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final AsciiString USER_AGENT = AsciiString.cached("aixcl");
    private static final AsciiString ZERO = AsciiString.cached("0");
    /** Connections not used for this long are closed (the upstream may drop them itself sooner or later). */
    private static final Duration IDLE_EVICTION = Duration.ofSeconds(30);

    private final UpstreamConfig config;
    private final EventLoopGroup sharedLoops;
    private final String threadName;
    private volatile EngineLoops loops;
    private final AtomicInteger next = new AtomicInteger();
    private final String host;
    private final String basePath;
    private volatile LoopConnections[] connections = new LoopConnections[0];
    private volatile AsciiString authorization;

    /** On {@code sharedLoops} (the daemon's), or, when null, on loops of its own from each start to its close. */
    UpstreamClient(UpstreamConfig config, EventLoopGroup sharedLoops, String threadName) {
        this.config = requireNonNull(config, "config is null");
        this.sharedLoops = sharedLoops;
        this.threadName = requireNonNull(threadName, "threadName is null");
        URI base = config.baseUrl();
        this.host = base.getRawAuthority();
        this.basePath = base.getRawPath() == null ? "" : base.getRawPath();
    }

    UpstreamConfig config() {
        return config;
    }

    /**
     * Where work for the calling thread goes later (a queued generation's send): its own event loop when it is one,
     * so that exchange too is carried by the loop that serves its client; else any loop. Nothing run there may block.
     */
    Executor executor() {
        EngineLoops current = loops();
        EventLoop own = current.current();
        return own != null ? own : current.group().next();
    }

    private EngineLoops loops() {
        EngineLoops current = loops;
        if (current == null) {
            throw new InferenceException.EngineUnavailable("the HTTP client for " + config.baseUrl()
                    + " is not started", null);
        }
        return current;
    }

    void start() {
        authorization = config.apiKeyFile().map(file -> {
            try {
                String key = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (key.isEmpty() || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new InferenceException.EngineUnavailable("the API key file " + file
                            + " must hold one token of printable ASCII characters", null);
                }
                return new AsciiString("Bearer " + key);
            } catch (IOException e) {
                throw new InferenceException.EngineUnavailable(
                        "cannot read the API key file " + file + ": " + e.getClass().getSimpleName(), null);
            }
        }).orElse(null);
        SslContext tls = null;
        if ("https".equalsIgnoreCase(config.baseUrl().getScheme())) {
            // Only for an https upstream: building one reads the JDK's trust store (~150 certificates), which a
            // daemon serving the stack's own engine on loopback would otherwise idle with.
            try {
                tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
            } catch (SSLException e) {
                throw new InferenceException.EngineUnavailable("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        EngineLoops loops = sharedLoops != null ? EngineLoops.shared(sharedLoops) : EngineLoops.own(threadName);
        URI base = config.baseUrl();
        int port = base.getPort() >= 0 ? base.getPort() : "https".equalsIgnoreCase(base.getScheme()) ? 443 : 80;
        // An IP literal is used as it is; a name is resolved at each connect (it may move), off the event loops.
        String host = base.getHost();
        InetSocketAddress address = ipLiteral(host)
                ? new InetSocketAddress(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port)
                : InetSocketAddress.createUnresolved(host, port);
        List<EventLoop> each = new ArrayList<>();
        for (EventExecutor executor : loops.group()) {
            each.add((EventLoop) executor);
        }
        // Each loop owns its share of the connections: no loop ever waits for another's.
        int perLoop = Math.max(1, (config.maxConnections() + each.size() - 1) / each.size());
        List<LoopConnections> pools = new ArrayList<>();
        for (EventLoop loop : each) {
            pools.add(new LoopConnections(loop, address, tls, perLoop, config.connectTimeout(), IDLE_EVICTION));
        }
        connections = pools.toArray(LoopConnections[]::new);
        this.loops = loops;
    }

    /** A generation's POST of {@code json}: sent at once, its answer heard by {@code listener} on an event loop. */
    Exchange post(String path, byte[] json, String accept, Exchange.Listener listener) {
        Exchange exchange = new Exchange(request(HttpMethod.POST, path, json, accept), listener);
        pool().send(exchange);
        return exchange;
    }

    /** An exchange that waits for the whole answer (control calls only: never on an event loop). */
    Answer exchange(HttpMethod method, String path, byte[] json, Duration timeout) {
        if (loops().current() != null) {
            throw new IllegalStateException("a blocking exchange on an event loop: " + method + " " + path);
        }
        Collected collected = new Collected();
        Exchange exchange = new Exchange(request(method, path, json, JSON.toString()), collected);
        pool().send(exchange);
        try {
            return collected.answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            exchange.abort();
            Thread.currentThread().interrupt();
            throw new InferenceException.EngineUnavailable("interrupted during " + method + " " + path, e);
        } catch (TimeoutException e) {
            exchange.abort();
            throw new InferenceException.EngineUnavailable(method + " " + config.url(path) + " got no answer within "
                    + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw UpstreamFailures.transport(method + " " + config.url(path), e.getCause(), exchange.carried());
        }
    }

    /** Dotted IPv4 or bracketed IPv6: creating its address looks nothing up. */
    static boolean ipLiteral(String host) {
        return host.startsWith("[") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private LoopConnections pool() {
        LoopConnections[] pools = connections;
        if (pools.length == 0) {
            throw new InferenceException.EngineUnavailable("the HTTP client for " + config.baseUrl()
                    + " is not started", null);
        }
        EventLoop current = loops().current();
        if (current != null) {
            for (LoopConnections pool : pools) {
                if (pool.loop() == current) {
                    return pool;
                }
            }
        }
        return pools[Math.floorMod(next.getAndIncrement(), pools.length)];
    }

    /**
     * The request, its headers a flat read-only list: a hashed header map per request, copied again for each send,
     * was a tenth of a proxied request's garbage.
     */
    private FullHttpRequest request(HttpMethod method, String path, byte[] json, String accept) {
        ByteBuf body = json == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(json);
        List<CharSequence> headers = new ArrayList<>(12);
        Collections.addAll(headers, HttpHeaderNames.HOST, host, HttpHeaderNames.USER_AGENT, USER_AGENT,
                HttpHeaderNames.ACCEPT, accept);
        if (json != null) {
            Collections.addAll(headers, HttpHeaderNames.CONTENT_TYPE, JSON,
                    HttpHeaderNames.CONTENT_LENGTH, Integer.toString(json.length));
        } else if (method == HttpMethod.POST) {
            Collections.addAll(headers, HttpHeaderNames.CONTENT_LENGTH, ZERO);
        }
        AsciiString auth = authorization;
        if (auth != null) {
            Collections.addAll(headers, HttpHeaderNames.AUTHORIZATION, auth);
        }
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, basePath + path, body,
                new ReadOnlyHttpHeaders(false, headers.toArray(CharSequence[]::new)), EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public void close() {
        LoopConnections[] pools = connections;
        connections = new LoopConnections[0];
        for (LoopConnections pool : pools) {
            pool.close();
        }
        EngineLoops current = loops;
        loops = null;
        if (current != null) {
            current.release();
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

    /** Collects a control call's answer (small: a model list, a load's reply). */
    private static final class Collected implements Exchange.Listener {

        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;
        private String mediaType;

        @Override
        public void onHeaders(int status, String contentType) {
            this.status = status;
            this.mediaType = contentType == null ? null : contentType.split(";", 2)[0].strip();
        }

        @Override
        public void onContent(ByteBuffer content) {
            byte[] bytes = new byte[content.remaining()];
            content.get(bytes);
            body.writeBytes(bytes);
        }

        @Override
        public void onComplete(Throwable failure) {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(new Answer(status, mediaType, body.toByteArray()));
            }
        }
    }
}
