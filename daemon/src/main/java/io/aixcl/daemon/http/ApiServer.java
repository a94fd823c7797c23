package io.aixcl.daemon.http;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
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

    public ApiServer(Path socket, Router router) {
        this(socket, router, new Redactor());
    }

    /** {@code redactor} scrubs known secret values from every answer, error and streamed event. */
    public ApiServer(Path socket, Router router, Redactor redactor) {
        this.socket = socket;
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("api");
        // Handlers block (engine calls, health waits, log follows): let each run on a virtual thread.
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server);
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(0);
        server.addConnector(connector);
        server.setHandler(new Dispatcher(router, redactor));
        server.setStopTimeout(2000);
    }

    public void start() throws Exception {
        Files.deleteIfExists(socket); // stale: the caller holds the daemon lock, so nobody else serves it
        server.start();
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
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
        private final Redactor redactor;

        Dispatcher(Router router, Redactor redactor) {
            super(InvocationType.BLOCKING);
            this.router = router;
            this.redactor = redactor;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            boolean[] known = {false};
            Optional<Router.Match> match = router.match(request.getMethod(), path, known);
            Exchange exchange = new Exchange(request, response, match.map(Router.Match::pathParams)
                    .orElse(java.util.Map.of()), redactor);
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
                    callback.failed(t2);
                }
            }
            return true;
        }
    }
}
