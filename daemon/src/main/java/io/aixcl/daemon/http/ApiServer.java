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
        ActionRecorder NONE = (peer, tokenId, action, target, parameters, failure) -> { };

        /** {@code tokenId} is set for requests that came over TCP with a bearer token. */
        void record(Optional<Peer> peer, Optional<String> tokenId, String action, String target,
                    java.util.Map<String, String> parameters, Optional<ApiError> failure);
    }

    public ApiServer(Path socket, Router router, AccessPolicy access, RefusalListener refusals) {
        this(socket, router, access, refusals, ActionRecorder.NONE, new Redactor());
    }

    /** {@code redactor} scrubs known secret values from every answer, error and streamed event. */
    public ApiServer(Path socket, Router router, AccessPolicy access, RefusalListener refusals,
                     ActionRecorder recorder, Redactor redactor) {
        this(socket, new RouteDispatch(router, recorder, redactor), access, refusals);
    }

    /** {@code dispatch} routes, audits and scrubs; the Unix socket only decides who may come in. */
    public ApiServer(Path socket, RouteDispatch dispatch, AccessPolicy access, RefusalListener refusals) {
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
        server.setHandler(new Dispatcher(dispatch, access, refusals));
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
        private final RouteDispatch dispatch;
        private final AccessPolicy access;
        private final RefusalListener refusals;

        Dispatcher(RouteDispatch dispatch, AccessPolicy access, RefusalListener refusals) {
            super(InvocationType.BLOCKING);
            this.dispatch = dispatch;
            this.access = access;
            this.refusals = refusals;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Optional<Peer> peer = Peer.of(request.getConnectionMetaData().getConnection().getEndPoint().getTransport());
            if (access.decide(peer) instanceof AccessPolicy.Refused refused) {
                try {
                    refusals.refused(peer, request.getMethod(), Request.getPathInContext(request), refused.reason());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot record a refusal", e);
                }
                dispatch.refuse(request, response, callback, new ApiError(ErrorCode.UNAUTHORIZED,
                        "access refused: " + refused.reason(), List.of()), java.util.Map.of());
                return true;
            }
            dispatch.serve(request, response, callback, peer, Optional.empty());
            return true;
        }
    }
}
