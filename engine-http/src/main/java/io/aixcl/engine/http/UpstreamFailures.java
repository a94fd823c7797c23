package io.aixcl.engine.http;

import io.aixcl.core.inference.InferenceException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/** Upstream failures mapped to the port's kinds, in one place for both upstream APIs. */
final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /**
     * A non-2xx answer to a generation: 404 naming a model → ModelNotFound, 400/413/422 → InvalidRequest with the
     * upstream's words, 429/503 → Busy (the upstream's own queue is full, or llama.cpp is still loading),
     * anything else → EngineUnavailable.
     */
    static InferenceException forStatus(int status, String message, String exchange, String modelId,
                                        int running, int queued) {
        return switch (status) {
            case 404 -> message.toLowerCase(Locale.ROOT).contains("model")
                    ? new InferenceException.ModelNotFound(modelId)
                    : new InferenceException.EngineUnavailable(exchange + " answered 404 (is this the right URL?): "
                            + message, null);
            case 400, 413, 422 -> new InferenceException.InvalidRequest("the upstream refused the request ("
                    + status + "): " + message);
            case 429, 503 -> new InferenceException.Busy(modelId, running, queued);
            case 401, 403 -> new InferenceException.EngineUnavailable(exchange + " was refused (" + status
                    + "): check the API key: " + message, null);
            default -> new InferenceException.EngineUnavailable(exchange + " failed (" + status + "): " + message,
                    null);
        };
    }

    /**
     * The exchange failed below HTTP: refused, reset, closed, timed out. {@code connected} says whether the request
     * began to go out on a connection; a failure before that is a failed connect, whichever errno the kernel gave
     * (a closing listener can answer a SYN with a reset rather than a refusal).
     */
    static InferenceException transport(String exchange, Throwable cause, boolean connected) {
        if (failedToConnect(cause, connected)) {
            return new InferenceException.EngineUnavailable(exchange + ": cannot connect (" + cause.getMessage()
                    + ")", cause);
        }
        String why = switch (cause) {
            case ConnectException e -> "cannot connect (" + e.getMessage() + ")";
            case UnknownHostException e -> "unknown host " + e.getMessage();
            case NoRouteToHostException e -> "no route to host";
            case EOFException e -> "the upstream closed the connection";
            case ClosedChannelException e -> "the upstream closed the connection";
            case SocketException e -> "the connection broke (" + e.getMessage() + ")";
            case TimeoutException e -> "timed out (" + e.getMessage() + ")";
            case InferenceException e -> e.getMessage();
            case null -> "unknown failure";
            default -> cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        };
        return new InferenceException.EngineUnavailable(exchange + ": " + why, cause);
    }

    /** Whether {@code cause} says the upstream is down (as opposed to one exchange going wrong). */
    static boolean upstreamDown(Throwable cause, boolean connected) {
        return cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof NoRouteToHostException || failedToConnect(cause, connected);
    }

    private static boolean failedToConnect(Throwable cause, boolean connected) {
        return !connected && cause instanceof IOException && !(cause instanceof UnknownHostException)
                && !(cause instanceof NoRouteToHostException);
    }
}
