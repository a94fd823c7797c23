package io.aixcl.daemon.remote;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.daemon.http.ApiServer;
import io.aixcl.daemon.http.RouteDispatch;
import io.aixcl.daemon.tokens.TokenService;
import io.aixcl.state.TokenScope;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The optional TCP listener: TLS only (certificate from the local CA), a bearer token on every request, the token's
 * scope checked against {@link RouteScopes}, failures throttled per client address, and optionally client
 * certificates from the local CA (mutual TLS). Behind those checks it serves the same routes as the Unix socket.
 */
public final class RemoteApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RemoteApiServer.class.getName());

    private final Server server;
    private final ServerConnector connector;
    private final ListenPlan plan;

    public RemoteApiServer(ListenPlan plan, LocalCa ca, Path tlsDir, RouteDispatch dispatch, TokenService tokens,
                           FailureThrottle throttle, ApiServer.RefusalListener refusals) {
        this.plan = plan;
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("api-tls");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        this.connector = new ServerConnector(server, new SslConnectionFactory(tls(plan, ca, tlsDir), "http/1.1"),
                new HttpConnectionFactory(http));
        connector.setHost(plan.address().socketAddress().getAddress().getHostAddress());
        connector.setPort(plan.address().port());
        connector.setIdleTimeout(300_000);
        server.addConnector(connector);
        server.setHandler(new Gate(dispatch, tokens, throttle, refusals));
        server.setStopTimeout(2000);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port bound (the configured one; tests may ask for 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public ListenPlan plan() {
        return plan;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the TLS listener", e);
        }
    }

    private static SslContextFactory.Server tls(ListenPlan plan, LocalCa ca, Path tlsDir) {
        LocalCa.Issued identity = ServerIdentity.loadOrIssue(ca, tlsDir, plan.address());
        try {
            // In-memory stores: the key files on disk are PEM (0600); nothing here is ever written.
            char[] password = "in-memory".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", identity.key(), password,
                    new X509Certificate[] {identity.certificate(), ca.certificate()});
            SslContextFactory.Server f = new SslContextFactory.Server();
            f.setKeyStore(keys);
            f.setKeyStorePassword(new String(password));
            f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            // Clients reach the daemon by IP as often as by name: no SNI needed, none checked.
            f.setSniRequired(false);
            if (plan.needClientAuth()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("aixcl-ca", ca.certificate());
                f.setTrustStore(trust);
                f.setNeedClientAuth(true);
            }
            return f;
        } catch (Exception e) {
            throw new io.aixcl.core.AixclException.Failed("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static final class Gate extends Handler.Abstract {
        private final RouteDispatch dispatch;
        private final TokenService tokens;
        private final FailureThrottle throttle;
        private final ApiServer.RefusalListener refusals;

        Gate(RouteDispatch dispatch, TokenService tokens, FailureThrottle throttle, ApiServer.RefusalListener refusals) {
            super(InvocationType.BLOCKING);
            this.dispatch = dispatch;
            this.tokens = tokens;
            this.throttle = throttle;
            this.refusals = refusals;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            String client = client(request.getConnectionMetaData().getRemoteSocketAddress());
            try {
                if (throttle.check(client) instanceof FailureThrottle.Locked locked) {
                    long seconds = Math.max(1, (locked.retryAfter().toMillis() + 999) / 1000);
                    refuse(request, response, callback, client, Optional.empty(), "throttled after repeated failures",
                            new ApiError(ErrorCode.THROTTLED, "too many failed attempts from " + client
                                    + "; try again in " + seconds + "s", List.of()),
                            Map.of(HttpHeader.RETRY_AFTER.asString(), Long.toString(seconds)));
                    return true;
                }
                switch (tokens.authenticate(bearer(request))) {
                    case TokenService.Rejected r -> {
                        throttle.failed(client);
                        refuse(request, response, callback, client, r.tokenId(), r.reason(),
                                new ApiError(ErrorCode.UNAUTHENTICATED, "authentication required: "
                                        + publicReason(r), List.of()),
                                Map.of(HttpHeader.WWW_AUTHENTICATE.asString(), "Bearer realm=\"aixcl\""));
                    }
                    case TokenService.Authenticated a -> {
                        throttle.succeeded(client);
                        TokenScope needed = RouteScopes.required(method, path);
                        if (!a.token().scope().covers(needed)) {
                            refuse(request, response, callback, client, Optional.of(a.token().id()),
                                    "scope " + a.token().scope().wireName() + " does not cover " + needed.wireName(),
                                    new ApiError(ErrorCode.UNAUTHORIZED, "token '" + a.token().name() + "' has scope "
                                            + a.token().scope().wireName() + "; " + method + " " + path + " needs "
                                            + needed.wireName(), List.of()),
                                    Map.of());
                        } else {
                            dispatch.serve(request, response, callback, Optional.empty(),
                                    Optional.of(a.token().id()));
                        }
                    }
                }
            } catch (Throwable t) {
                LOG.log(Level.SEVERE, "TLS listener: checking " + method + " " + path, t);
                dispatch.refuse(request, response, callback, new ApiError(ErrorCode.FAILED,
                        "internal error; see the daemon log", List.of()), Map.of());
            }
            return true;
        }

        private void refuse(Request request, Response response, Callback callback, String client,
                            Optional<String> tokenId, String reason, ApiError answer, Map<String, String> headers) {
            refusals.refused(Optional.empty(), request.getMethod(), Request.getPathInContext(request),
                    "TCP client " + client + tokenId.map(id -> " (token " + id + ")").orElse("") + ": " + reason);
            dispatch.refuse(request, response, callback, answer, headers);
        }

        /** Told to the client: whether a token came and whether it still holds; never which tokens exist. */
        private static String publicReason(TokenService.Rejected r) {
            if (r.reason().equals("no bearer token")) {
                return "send 'Authorization: Bearer TOKEN' (create one with 'aixcl tokens create')";
            }
            return r.tokenId().isPresent() ? "the token has expired or was revoked" : "the token is not valid";
        }

        private static Optional<String> bearer(Request request) {
            String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            return Optional.of(h.substring(7).strip());
        }

        private static String client(SocketAddress remote) {
            return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                    ? inet.getAddress().getHostAddress() : String.valueOf(remote);
        }
    }
}
