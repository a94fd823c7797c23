package io.aixcl.daemon.http;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.core.secrets.Redactor;
import io.aixcl.daemon.access.Peer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves a request its listener has already let in (the Unix socket by peer credentials, the TLS listener by
 * token): routing, 404/405 for unknown routes, domain failures through {@link ErrorMapping}, the audit entry of
 * every state-changing request before its answer, and secret values scrubbed from every answer. One path for
 * every listener, so none can skip a step.
 */
public final class RouteDispatch {
    private final Router router;
    private final ApiServer.ActionRecorder recorder;
    private final Redactor redactor;

    public RouteDispatch(Router router, ApiServer.ActionRecorder recorder, Redactor redactor) {
        this.router = router;
        this.recorder = recorder;
        this.redactor = redactor;
    }

    public void serve(Request request, Response response, Callback callback, Optional<Peer> peer,
                      Optional<String> tokenId) {
        String path = Request.getPathInContext(request);
        boolean[] known = {false};
        Optional<Router.Match> match = router.match(request.getMethod(), path, known);
        Exchange exchange = new Exchange(request, response, match.map(Router.Match::pathParams).orElse(Map.of()),
                peer, redactor, tokenId);
        match.filter(Router.Match::audited).ifPresent(m -> exchange.onAcknowledge(failure -> recorder.record(peer,
                tokenId, m.action(), m.pathParams().getOrDefault("name", ""), exchange.parameters(), failure)));
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
    }

    /** Answers with {@code error} (its code gives the status) and extra headers, without routing. */
    public void refuse(Request request, Response response, Callback callback, ApiError error,
                       Map<String, String> headers) {
        try {
            headers.forEach((k, v) -> response.getHeaders().put(k, v));
            new Exchange(request, response, Map.of(), Optional.empty(), redactor).error(error);
            callback.succeeded();
        } catch (Throwable t) {
            callback.failed(t);
        }
    }
}
