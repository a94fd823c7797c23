package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.ResponseChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * A response on Jetty. A whole response hands Jetty the request's callback and returns at once (the handler thread
 * goes on to record the request); a stream writes chunk by chunk, blocking the (virtual) thread, so that a client
 * that reads slowly slows only its own generation and one that left is noticed at the next token. A channel made on
 * the I/O thread that read the request runs blocking work ({@link #blocking}) on a virtual thread of its own.
 */
final class JettyChannel implements ResponseChannel {

    static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    private static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache");

    private final Request request;
    private final Response response;
    private final Callback callback;
    private boolean completed;
    private boolean streaming;
    private boolean broken;
    private CompletionStage<?> later;
    /** Served on the I/O thread that read the request: nothing here may block. */
    private boolean onIoThread;
    /** Inside {@link #blocking} on its own thread: an answer given later ends that work's future instead. */
    private CompletionStage<?> nested;
    private boolean offloaded;

    JettyChannel(Request request, Response response, Callback callback, boolean onIoThread) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.onIoThread = onIoThread;
    }

    Response response() {
        return response;
    }

    boolean completed() {
        return completed;
    }

    boolean streaming() {
        return streaming;
    }

    /** The answer still to come, or null when the route answered (or failed) before returning. */
    CompletionStage<?> pending() {
        return later;
    }

    @Override
    public void json(int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        completed = true;
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    void noContent() {
        response.setStatus(204);
        completed = true;
        response.write(true, null, callback);
    }

    @Override
    public void startStream(String contentType) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(NO_CACHE);
        streaming = true;
    }

    @Override
    public void chunk(byte[] bytes) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(bytes), written);
            written.block();
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    @Override
    public void end(byte[] bytes) {
        completed = true;
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    @Override
    public void later(CompletionStage<?> answer) {
        if (offloaded) {
            nested = answer;
        } else {
            later = answer;
        }
    }

    @Override
    public void blocking(Work work) throws IOException {
        if (!onIoThread) {
            work.run();
            return;
        }
        onIoThread = false;
        offloaded = true;
        CompletableFuture<Object> done = new CompletableFuture<>();
        later = done;
        GatewayHandler.REQUEST_THREADS.newThread(() -> {
            try {
                work.run();
            } catch (IOException | RuntimeException | Error e) {
                done.completeExceptionally(e);
                return;
            }
            CompletionStage<?> answer = nested;
            if (answer == null) {
                done.complete(null);
            } else {
                answer.whenComplete((value, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else {
                        done.complete(value);
                    }
                });
            }
        }).start();
    }

    @Override
    public void onClientGone(Runnable action) {
        request.addFailureListener(failure -> action.run());
    }

    /** Ends a stream: the last (empty) write, or a failure when the client is gone. */
    void finishStream() {
        completed = true;
        if (broken) {
            callback.failed(new IOException("the client went away"));
        } else {
            response.write(true, null, callback);
        }
    }
}
