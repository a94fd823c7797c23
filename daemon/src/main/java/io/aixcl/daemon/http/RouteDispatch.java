package io.aixcl.daemon.http;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.daemon.access.Peer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes a request that its listener has already let in, for listeners other than the Unix socket's (the TLS
 * listener authenticates by token first). Same answers as {@link ApiServer}: 404/405 for unknown routes, domain
 * failures through {@link ErrorMapping}.
 */
public final class RouteDispatch {
    private RouteDispatch() {}

    public static void serve(Router router, Request request, Response response, Callback callback,
                             Optional<Peer> peer, Optional<String> tokenId) {
        String path = Request.getPathInContext(request);
        boolean[] known = {false};
        Optional<Router.Match> match = router.match(request.getMethod(), path, known);
        Exchange exchange = new Exchange(request, response, match.map(Router.Match::pathParams).orElse(Map.of()),
                peer, tokenId);
        try {
            if (match.isEmpty()) {
                exchange.error(known[0]
                        ? new ApiError(ErrorCode.INVALID_INPUT, "method " + request.getMethod() + " not allowed on "
                                + path, List.of())
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
    }

    /** Answers with {@code error} (its code gives the status) and extra headers, without routing. */
    public static void refuse(Request request, Response response, Callback callback, ApiError error,
                              Map<String, String> headers) {
        try {
            headers.forEach((k, v) -> response.getHeaders().put(k, v));
            new Exchange(request, response, Map.of(), Optional.empty()).error(error);
            callback.succeeded();
        } catch (Throwable t) {
            callback.failed(t);
        }
    }
}
