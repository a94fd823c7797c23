package io.aixcl.daemon.http;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.daemon.access.AccessPolicy;
import io.aixcl.daemon.access.Peer;
import io.aixcl.core.secrets.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The daemon's HTTP API on a Unix socket (0600 in a 0700 folder). */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    private final Server server;
    private final Path socket;
    private final Optional<String> sharedGroup;

    /** Called for every refused connection, so the refusal can be recorded. */
    public interface RefusalListener {
        void refused(Optional<Peer> peer, String method, String path, String reason);
    }

    /** Records a state-changing request before it is acknowledged; throws when it cannot. */
    public interface ActionRecorder {
        ActionRecorder NONE = (peer, action, target, parameters, failure) -> { };

        void record(Optional<Peer> peer, String action, String target, java.util.Map<String, String> parameters,
                    Optional<ApiError> failure);
    }

    public ApiServer(Path socket, Router router, AccessPolicy access, RefusalListener refusals) {
        this(socket, router, access, refusals, ActionRecorder.NONE, new Redactor());
    }

    /** {@code redactor} scrubs known secret values from every answer, error and streamed event. */
    public ApiServer(Path socket, Router router, AccessPolicy access, RefusalListener refusals,
                     ActionRecorder recorder, Redactor redactor) {
        this.socket = socket;
        this.sharedGroup = access.groups().stream().sorted().findFirst();
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("api");
        // Handlers block (engine calls, health waits, log follows): let each run on a virtual thread.
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server);
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(0);
        server.addConnector(connector);
        server.setHandler(new Dispatcher(router, access, refusals, recorder, redactor));
        server.setStopTimeout(2000);
    }

    public void start() throws Exception {
        Files.deleteIfExists(socket); // stale: the caller holds the daemon lock, so nobody else serves it
        server.start();
        if (sharedGroup.isPresent()) {
            // Allowed groups need to reach the socket at all: group access to it, and passage through its folder.
            var group = socket.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(sharedGroup.get());
            Files.getFileAttributeView(socket, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            Files.getFileAttributeView(socket.getParent(), java.nio.file.attribute.PosixFileAttributeView.class)
                    .setGroup(group);
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x---"));
        } else {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the API server", e);
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static final class Dispatcher extends Handler.Abstract {
        private final Router router;
        private final AccessPolicy access;
        private final RefusalListener refusals;
        private final ActionRecorder recorder;
        private final Redactor redactor;

        Dispatcher(Router router, AccessPolicy access, RefusalListener refusals, ActionRecorder recorder,
                   Redactor redactor) {
            super(InvocationType.BLOCKING);
            this.router = router;
            this.access = access;
            this.refusals = refusals;
            this.recorder = recorder;
            this.redactor = redactor;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            Optional<Peer> peer = Peer.of(request.getConnectionMetaData().getConnection().getEndPoint().getTransport());
            if (access.decide(peer) instanceof AccessPolicy.Refused refused) {
                refusals.refused(peer, request.getMethod(), path, refused.reason());
                try {
                    new Exchange(request, response, java.util.Map.of(), peer, redactor)
                            .error(new ApiError(ErrorCode.UNAUTHORIZED, "access refused: " + refused.reason(), List.of()));
                    callback.succeeded();
                } catch (Throwable t) {
                    callback.failed(t);
                }
                return true;
            }
            boolean[] known = {false};
            Optional<Router.Match> match = router.match(request.getMethod(), path, known);
            Exchange exchange = new Exchange(request, response, match.map(Router.Match::pathParams)
                    .orElse(java.util.Map.of()), peer, redactor);
            match.filter(Router.Match::audited).ifPresent(m -> exchange.onAcknowledge(failure -> recorder.record(peer,
                    m.action(), m.pathParams().getOrDefault("name", ""), exchange.parameters(), failure)));
            try {
                if (match.isEmpty()) {
                    exchange.error(known[0]
                            ? new ApiError(ErrorCode.INVALID_INPUT, "method " + request.getMethod()
                                    + " not allowed on " + path, List.of())
                            : new ApiError(ErrorCode.NOT_FOUND, "no such API route: " + path, List.of()));
                } else {
                    match.get().route().handle(exchange);
                }
                callback.succeeded();
            } catch (Throwable t) {
                ApiError error = ErrorMapping.toApiError(t);
                try {
                    if (!exchange.committed()) {
                        exchange.error(error);
                    }
                    callback.succeeded();
                } catch (Throwable t2) {
                    // Recording the failure itself failed (the audit log): answer with that instead.
                    try {
                        if (!exchange.committed()) {
                            exchange.error(ErrorMapping.toApiError(t2));
                        }
                        callback.succeeded();
                    } catch (Throwable t3) {
                        callback.failed(t3);
                    }
                }
            }
            return true;
        }
    }
}
