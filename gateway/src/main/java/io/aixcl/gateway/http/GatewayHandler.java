package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Call;
import io.aixcl.gateway.inference.ErrorKind;
import io.aixcl.gateway.inference.RequestRecord;
import io.aixcl.gateway.ollama.OllamaErrors;
import io.aixcl.gateway.openai.OpenAiErrors;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every request passes here, in this order: Host check (DNS rebinding), CORS, route, method, body size, then the route
 * (which authenticates, validates and serves). Each request ends in exactly one audit event, refused or not.
 * Failures are rendered in the route's protocol; an unexpected exception is logged here and answered with a
 * generic 500, never a stack trace.
 */
public final class GatewayHandler implements GatewayConnection.Dispatch {

    private static final Logger LOG = Logger.getLogger(GatewayHandler.class.getName());
    // Response header names as clients have always seen them (Netty's constants are lower case).
    private static final AsciiString WWW_AUTHENTICATE = AsciiString.cached("WWW-Authenticate");
    private static final AsciiString BEARER_REALM = AsciiString.cached("Bearer realm=\"aixcl\"");
    private static final AsciiString VARY = AsciiString.cached("Vary");
    private static final AsciiString ORIGIN = AsciiString.cached("Origin");
    private static final AsciiString ALLOW_ORIGIN = AsciiString.cached("Access-Control-Allow-Origin");
    private static final AsciiString ALLOW_METHODS = AsciiString.cached("Access-Control-Allow-Methods");
    private static final AsciiString ALLOW_HEADERS = AsciiString.cached("Access-Control-Allow-Headers");
    private static final AsciiString MAX_AGE = AsciiString.cached("Access-Control-Max-Age");
    private static final AsciiString ALLOW = AsciiString.cached("Allow");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");
    static final byte[] NO_BODY = new byte[0];
    private static final byte[] HOST_REFUSED = "{\"error\":\"host not allowed\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ORIGIN_REFUSED = "{\"error\":\"origin not allowed\"}"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String BEARER = "Bearer ";
    static final ThreadFactory REQUEST_THREADS = Thread.ofVirtual().name("gateway-request").factory();

    private final Routes routes;
    private final HostPolicy hosts;
    private final CorsPolicy cors;
    private final int maxBodyBytes;
    private final AuditTrail audit;
    private final Clock clock;
    /** Requests read and not yet recorded: a closing gateway lets them finish. */
    private final AtomicInteger inFlight = new AtomicInteger();

    public GatewayHandler(Routes routes, HostPolicy hosts, CorsPolicy cors, int maxBodyBytes, AuditTrail audit,
                          Clock clock) {
        this.routes = routes;
        this.hosts = hosts;
        this.cors = cors;
        this.maxBodyBytes = maxBodyBytes;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Called on the event loop that read the whole request ({@code body} null when it was refused for its size). A
     * generation is served right here: on a ready engine a whole answer or a stream is asynchronous end to end, and
     * what may block (loading or registering a model) moves to a virtual thread itself ({@link NettyChannel#blocking}); a thread hop per request cost
     * as much as the rest of a proxied request. Every other request runs on a virtual thread of its own.
     */
    @Override
    public void handle(NettyChannel channel, byte[] body, boolean tooLarge) {
        inFlight.incrementAndGet();
        HttpRequest request = channel.request();
        String path = path(request.uri());
        Routes.Match match = routes.find(path);
        if (match != null && match.route().onIoThread() && !tooLarge && "POST".equals(request.method().name())) {
            channel.onIoThread(true);
            respond(channel, path, match, body, false);
            return;
        }
        REQUEST_THREADS.newThread(() -> respond(channel, path, match, body, tooLarge)).start();
    }

    /** The path without its query, percent-decoded (most request targets need neither). */
    static String path(String uri) {
        if (uri.indexOf('?') < 0 && uri.indexOf('%') < 0 && uri.startsWith("/")) {
            return uri;
        }
        return new QueryStringDecoder(uri).path();
    }

    /** Waits up to {@code timeout} for the requests in flight to be answered and recorded. */
    void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
                try {
                    inFlight.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void respond(NettyChannel channel, String path, Routes.Match match, byte[] body, boolean tooLarge) {
        long start = System.nanoTime();
        Instant received = clock.instant();
        String action = match == null ? "inference.unknown" : match.route().action();
        RequestRecord record = new RequestRecord(action, start);
        Route.Protocol protocol = match != null ? match.route().protocol()
                : path.startsWith("/api/") ? Route.Protocol.OLLAMA : Route.Protocol.OPENAI;
        String method = channel.request().method().name();
        try {
            serve(channel, match, record, received, start, path, body, tooLarge);
        } catch (IOException | RuntimeException e) {
            failed(channel, protocol, record, method + " " + path, e);
        } finally {
            // A route that answers later (a whole generation) leaves the request open; it ends when the answer does.
            CompletionStage<?> pending = channel.pending();
            if (pending == null) {
                finish(channel, record);
            } else {
                pending.whenComplete((answered, failure) -> {
                    if (failure != null) {
                        failed(channel, protocol, record, method + " " + path, unwrap(failure));
                    }
                    finish(channel, record);
                });
            }
        }
    }

    /** Renders what a route threw, in the route's protocol; an unexpected failure is logged and answered with a 500. */
    private static void failed(NettyChannel channel, Route.Protocol protocol, RequestRecord record, String what,
                               Throwable e) {
        switch (e) {
            case ApiError.ApiFailure failure -> fail(channel, protocol, record, failure.error());
            // Only a stream writes blockingly, and it handles a client that left itself; this is reading the body.
            case IOException io -> fail(channel, protocol, record,
                    ApiError.invalid(null, "the request body could not be read"));
            default -> {
                LOG.log(Level.SEVERE, "unexpected failure serving " + what, e);
                fail(channel, protocol, record, ApiError.of(ErrorKind.SERVER, "internal error; see the daemon's log"));
            }
        }
    }

    /** Ends the response if the route left it open, then records the request: exactly one audit event each. */
    private void finish(NettyChannel channel, RequestRecord record) {
        try {
            if (channel.streaming() && !channel.completed()) {
                channel.finishStream();
            } else if (!channel.completed()) {
                channel.noResponse();
            }
            audit.record(record.toEvent(clock.instant(), System.nanoTime()));
        } finally {
            channel.connection().done(channel);
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private void serve(NettyChannel channel, Routes.Match match, RequestRecord record, Instant received, long start,
                       String path, byte[] arrived, boolean tooLarge) throws IOException {
        HttpRequest request = channel.request();
        HttpHeaders headers = request.headers();
        String method = request.method().name();
        if (!hosts.allows(headers.get(HttpHeaderNames.HOST))) {
            // Nothing about the gateway, not even CORS headers: the page that asked is not ours to talk to.
            record.failed(ApiError.of(ErrorKind.FORBIDDEN, "host not allowed"));
            channel.json(403, HOST_REFUSED);
            return;
        }
        String origin = headers.get(ORIGIN);
        boolean allowedOrigin = cors.allows(origin);
        if ("OPTIONS".equals(method)) {
            preflight(channel, record, origin, allowedOrigin, headers.get("Access-Control-Request-Headers"));
            return;
        }
        if (allowedOrigin) {
            channel.headers().set(ALLOW_ORIGIN, origin);
            channel.headers().add(VARY, ORIGIN);
        }
        if (match == null) {
            throw new ApiError(ErrorKind.NOT_FOUND, "no such endpoint: " + truncate(path), null, "unknown_url",
                    Optional.empty()).failure();
        }
        Route route = match.route();
        if (route.method() != null && !route.method().equals(method)) {
            channel.headers().set(ALLOW, route.method());
            throw ApiError.of(ErrorKind.METHOD_NOT_ALLOWED, method + " is not allowed on "
                    + truncate(path) + "; use " + route.method()).failure();
        }
        if (route.readsBody() && tooLarge) {
            throw tooLarge();
        }
        byte[] body = !route.readsBody() || arrived == null ? NO_BODY : arrived;
        route.handler().handle(new Call(key(headers.get(HttpHeaderNames.AUTHORIZATION)), body, match.pathParameter(),
                channel, record, received, start));
    }

    private void preflight(NettyChannel channel, RequestRecord record, String origin, boolean allowed,
                           String requestedHeaders) {
        if (!allowed) {
            record.failed(ApiError.of(ErrorKind.FORBIDDEN, origin == null ? "preflight without an origin"
                    : "origin not allowed"));
            channel.json(403, ORIGIN_REFUSED);
            return;
        }
        HttpHeaders headers = channel.headers();
        headers.set(ALLOW_ORIGIN, origin);
        headers.set(ALLOW_METHODS, "GET, POST, OPTIONS");
        headers.set(ALLOW_HEADERS, CorsPolicy.allowedHeaders(requestedHeaders));
        headers.set(MAX_AGE, "600");
        headers.add(VARY, ORIGIN);
        record.target(origin);
        channel.noContent();
    }

    private ApiError.ApiFailure tooLarge() {
        return new ApiError(ErrorKind.TOO_LARGE, "the request body is larger than this gateway's limit of "
                + maxBodyBytes + " bytes", null, "request_too_large", Optional.empty()).failure();
    }

    /** The key after {@code Bearer }, or empty; the key authority decides what a missing key means. */
    static String key(String authorization) {
        if (authorization == null || authorization.length() < BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return "";
        }
        return authorization.substring(BEARER.length()).trim();
    }

    private static void fail(NettyChannel channel, Route.Protocol protocol, RequestRecord record, ApiError error) {
        if (channel.completed()) {
            return; // already answered (a refusal rendered inside a route); nothing more to send
        }
        if (channel.streaming()) {
            record.failedMidStream(error);
            return;
        }
        record.failed(error);
        HttpHeaders headers = channel.headers();
        error.retryAfter().ifPresent(wait -> headers.set(RETRY_AFTER, retryAfterSeconds(wait)));
        if (error.kind() == ErrorKind.UNAUTHENTICATED) {
            headers.set(WWW_AUTHENTICATE, BEARER_REALM);
        }
        channel.json(error.status(), protocol == Route.Protocol.OLLAMA ? OllamaErrors.body(error)
                : OpenAiErrors.body(error));
    }

    static String retryAfterSeconds(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return Long.toString(seconds);
    }

    private static String truncate(String path) {
        return path.length() <= 100 ? path : path.substring(0, 100) + "…";
    }

}
