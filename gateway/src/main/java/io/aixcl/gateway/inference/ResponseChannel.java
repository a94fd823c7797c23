package io.aixcl.gateway.inference;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** How a protocol answers, whole or streamed, without knowing the HTTP server. */
public interface ResponseChannel {

    /** Sends a whole JSON response. */
    void json(int status, byte[] body) throws IOException;

    /** Commits a 200 streamed response of {@code contentType}; chunks follow. */
    void startStream(String contentType) throws IOException;

    /**
     * Queues one chunk without ever waiting, for a stream written from its engine's callbacks: chunks pushed in one
     * round of the connection's I/O go out in one write. The caller holds its source back as {@link #backPressure}
     * says, so what a slow client has not read stays bounded. Fails when the client went away. The bytes are copied
     * before it returns: the caller may reuse the array.
     */
    void push(byte[] bytes, int offset, int length) throws IOException;

    default void push(byte[] bytes) throws IOException {
        push(bytes, 0, bytes.length);
    }

    /**
     * Runs {@code pause} when the client stops taking bytes (the connection's buffers are full) and {@code resume}
     * when it takes them again; both on the connection's I/O thread. A client still taking nothing after the
     * channel's write timeout gets {@code stalled} instead (once, on that thread, with the timeout): the source ends
     * its stream there, and the channel then closes the connection, its last bytes unread.
     */
    void backPressure(Runnable pause, Runnable resume, Consumer<Duration> stalled);

    /**
     * Sends a stream's last bytes and ends it, without waiting for the write: the generation is over and billed, so a
     * client that left now changes nothing but the connection.
     */
    void end(byte[] bytes);

    /** Runs {@code action} if the HTTP layer learns the client went away while nothing is being written. */
    void onClientGone(Runnable action);

    /**
     * Answers later: the request stays open until {@code answer} completes, having answered through this channel, or
     * failed as a route fails ({@link ApiError.ApiFailure} for its own status). The caller returns at once, so no
     * thread waits on an engine; whatever completes {@code answer} sends the response.
     */
    void later(CompletionStage<?> answer);

    /**
     * Runs {@code work}, which may block (a stream's writes, loading a model), on a thread allowed to: here and now
     * when the request is already on one, else on a virtual thread of its own, the request then ending when
     * {@code work} does (failures included, as if the route had thrown them). The gateway reads a generation's
     * request on the I/O thread that parsed it, and only what may block pays for a thread.
     */
    void blocking(Work work) throws IOException;

    /** What {@link #blocking} runs. */
    @FunctionalInterface
    interface Work {
        void run() throws IOException;
    }
}
