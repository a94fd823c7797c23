package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Call;
import io.aixcl.gateway.inference.ErrorKind;
import io.aixcl.gateway.inference.RequestRecord;
import io.aixcl.gateway.ollama.OllamaErrors;
import io.aixcl.gateway.openai.OpenAiErrors;
import java.io.IOException;
import java.io.InputStream;
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
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Every request passes here, in this order: Host check (DNS rebinding), CORS, route, body size, then the route
 * (which authenticates, validates and serves). Each request ends in exactly one audit event, refused or not.
 * Failures are rendered in the route's protocol; an unexpected exception is logged here and answered with a
 * generic 500, never a stack trace.
 */
public final class GatewayHandler extends Handler.Abstract {

    private static final Logger LOG = Logger.getLogger(GatewayHandler.class.getName());
    private static final HttpField WWW_AUTHENTICATE = new PreEncodedHttpField(HttpHeader.WWW_AUTHENTICATE,
            "Bearer realm=\"aixcl\"");
    private static final HttpField VARY_ORIGIN = new PreEncodedHttpField(HttpHeader.VARY, "Origin");
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

    public GatewayHandler(Routes routes, HostPolicy hosts, CorsPolicy cors, int maxBodyBytes, AuditTrail audit,
                          Clock clock) {
        // Never blocks itself: Jetty may call it on a selector thread; what may block runs on a virtual thread.
        super(InvocationType.NON_BLOCKING);
        this.routes = routes;
        this.hosts = hosts;
        this.cors = cors;
        this.maxBodyBytes = maxBodyBytes;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * A generation is served on the I/O thread that read its body (here, or Jetty's when the body comes later): a whole
     * answer is asynchronous end to end, and what may block (a stream, loading a model) moves to a virtual thread
     * itself ({@link JettyChannel#blocking}); a thread hop per request cost as much as the rest of a proxied request.
     * Every other request starts on a virtual thread of its own, whichever thread Jetty calls from: Jetty dispatches
     * a blocking handler to a virtual thread only from its selector, and a request that follows one answered from
     * another thread (an engine's, see {@link ResponseChannel#later}) would otherwise run on the server's small
     * platform pool, where a stream blocks a pool thread for its whole length.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        Routes.Match match = routes.find(path);
        long declared = request.getLength();
        if (match != null && match.route().onIoThread() && "POST".equals(request.getMethod()) && declared >= 0
                && declared <= maxBodyBytes) {
            Arrived.read(request, (int) declared, body -> {
                if (body.complete()) {
                    respond(request, response, callback, path, match, body, true);
                } else {
                    REQUEST_THREADS.newThread(() -> respond(request, response, callback, path, match, body, false))
                            .start();
                }
            });
            return true;
        }
        REQUEST_THREADS.newThread(() -> respond(request, response, callback, path, match, null, false)).start();
        return true;
    }

    private void respond(Request request, Response response, Callback callback, String path, Routes.Match match,
                         Arrived arrived, boolean onIoThread) {
        long start = System.nanoTime();
        Instant received = clock.instant();
        String action = match == null ? "inference.unknown" : match.route().action();
        RequestRecord record = new RequestRecord(action, start);
        JettyChannel channel = new JettyChannel(request, response, callback, onIoThread);
        Route.Protocol protocol = match != null ? match.route().protocol()
                : path.startsWith("/api/") ? Route.Protocol.OLLAMA : Route.Protocol.OPENAI;
        try {
            serve(request, match, channel, record, received, start, path, arrived);
        } catch (IOException | RuntimeException e) {
            failed(channel, protocol, record, request.getMethod() + " " + path, e);
        } finally {
            // A route that answers later (a whole generation) leaves the request open; it ends when the answer does.
            CompletionStage<?> pending = channel.pending();
            if (pending == null) {
                finish(channel, callback, record);
            } else {
                pending.whenComplete((answered, failure) -> {
                    if (failure != null) {
                        failed(channel, protocol, record, request.getMethod() + " " + path, unwrap(failure));
                    }
                    finish(channel, callback, record);
                });
            }
        }
    }

    /** Renders what a route threw, in the route's protocol; an unexpected failure is logged and answered with a 500. */
    private static void failed(JettyChannel channel, Route.Protocol protocol, RequestRecord record, String what,
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
    private void finish(JettyChannel channel, Callback callback, RequestRecord record) {
        if (channel.streaming() && !channel.completed()) {
            channel.finishStream();
        } else if (!channel.completed()) {
            callback.failed(new IllegalStateException("no response"));
        }
        audit.record(record.toEvent(clock.instant(), System.nanoTime()));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private void serve(Request request, Routes.Match match, JettyChannel channel, RequestRecord record,
                       Instant received, long start, String path, Arrived arrived) throws IOException {
        var headers = request.getHeaders();
        if (!hosts.allows(headers.get(HttpHeader.HOST))) {
            // Nothing about the gateway, not even CORS headers: the page that asked is not ours to talk to.
            record.failed(ApiError.of(ErrorKind.FORBIDDEN, "host not allowed"));
            channel.json(403, HOST_REFUSED);
            return;
        }
        String origin = headers.get(HttpHeader.ORIGIN);
        boolean allowedOrigin = cors.allows(origin);
        if ("OPTIONS".equals(request.getMethod())) {
            preflight(channel, record, origin, allowedOrigin, headers.get("Access-Control-Request-Headers"));
            return;
        }
        if (allowedOrigin) {
            channel.response().getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            channel.response().getHeaders().add(VARY_ORIGIN);
        }
        if (match == null) {
            throw new ApiError(ErrorKind.NOT_FOUND, "no such endpoint: " + truncate(path), null, "unknown_url",
                    Optional.empty()).failure();
        }
        Route route = match.route();
        if (route.method() != null && !route.method().equals(request.getMethod())) {
            channel.response().getHeaders().put(HttpHeader.ALLOW, route.method());
            throw ApiError.of(ErrorKind.METHOD_NOT_ALLOWED, request.getMethod() + " is not allowed on "
                    + truncate(path) + "; use " + route.method()).failure();
        }
        byte[] body = !route.readsBody() ? new byte[0] : arrived != null ? arrived.rest() : body(request);
        route.handler().handle(new Call(key(headers.get(HttpHeader.AUTHORIZATION)), body, match.pathParameter(),
                channel, record, received, start));
    }

    private void preflight(JettyChannel channel, RequestRecord record, String origin, boolean allowed,
                           String requestedHeaders) {
        if (!allowed) {
            record.failed(ApiError.of(ErrorKind.FORBIDDEN, origin == null ? "preflight without an origin"
                    : "origin not allowed"));
            channel.json(403, ORIGIN_REFUSED);
            return;
        }
        var headers = channel.response().getHeaders();
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, CorsPolicy.allowedHeaders(requestedHeaders));
        headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
        headers.add(VARY_ORIGIN);
        record.target(origin);
        channel.noContent();
    }

    /** The body, at most the configured size: a declared length over it is refused before reading a byte. */
    private byte[] body(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw tooLarge();
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw tooLarge();
            }
            return body;
        }
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

    private static void fail(JettyChannel channel, Route.Protocol protocol, RequestRecord record, ApiError error) {
        if (channel.completed()) {
            return; // already answered (a refusal rendered inside a route); nothing more to send
        }
        if (channel.streaming()) {
            record.failedMidStream(error);
            return;
        }
        record.failed(error);
        var headers = channel.response().getHeaders();
        error.retryAfter().ifPresent(wait -> headers.put(HttpHeader.RETRY_AFTER, retryAfterSeconds(wait)));
        if (error.kind() == ErrorKind.UNAUTHENTICATED) {
            headers.put(WWW_AUTHENTICATE);
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
