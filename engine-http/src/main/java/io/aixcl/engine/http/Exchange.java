package io.aixcl.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.ByteBuffer;

/**
 * One HTTP exchange with the upstream: the request to send and who hears the answer. The listener's callbacks run
 * one at a time on the event loop of the connection that carries the exchange; {@link #abort} may come from any
 * thread and closes that connection, which is how an HTTP upstream learns to stop generating.
 */
final class Exchange {

    /** Hears an answer as it is read; never blocks (it runs on an event loop). */
    interface Listener {
        void onHeaders(int status, String contentType);

        /** A piece of the body; valid only during the call. */
        void onContent(ByteBuffer content);

        /** The exchange ended: {@code failure} is null when the whole answer was read. */
        void onComplete(Throwable failure);
    }

    private final FullHttpRequest request;
    private final Listener listener;
    /** Set on the event loop when a connection carries the exchange. */
    private volatile Channel channel;
    private volatile boolean aborted;
    /** The reader of the answer cannot take more for now: the connection is not read until it can. */
    private volatile boolean paused;
    private volatile boolean carried;
    private boolean retried;
    private boolean completed;

    Exchange(FullHttpRequest request, Listener listener) {
        this.request = request;
        this.listener = listener;
    }

    FullHttpRequest request() {
        return request;
    }

    Listener listener() {
        return listener;
    }

    boolean aborted() {
        return aborted;
    }

    void carriedBy(Channel channel) {
        this.channel = channel;
        carried = true;
        // A connection is read while its exchange's reader takes more (a kept-alive one may come paused from the last).
        if (channel.config().isAutoRead() == paused) {
            channel.config().setAutoRead(!paused);
        }
    }

    /**
     * Stops reading the answer (from any thread): what the upstream sends next waits in the connection's socket
     * buffers, then in the upstream itself, which TCP holds back. Bytes already read are still delivered.
     */
    void pause() {
        paused = true;
        Channel carrier = channel;
        if (carrier != null) {
            carrier.config().setAutoRead(false);
        }
    }

    /** Reads the answer again after {@link #pause}. */
    void resume() {
        paused = false;
        Channel carrier = channel;
        if (carrier != null) {
            carrier.config().setAutoRead(true);
        }
    }

    /** Whether a connection carries (or carried) this attempt: a failure before that is a failed connect. */
    boolean carried() {
        return carried;
    }

    /** On the loop: a second attempt, after a kept-alive connection turned out closed; at most one. */
    void retry() {
        retried = true;
        carried = false;
        channel = null;
    }

    boolean retried() {
        return retried;
    }

    /** Ends the exchange by closing its connection (a queued exchange is dropped when its turn comes). */
    void abort() {
        aborted = true;
        Channel carrier = channel;
        if (carrier != null) {
            carrier.close();
        }
        // Not on a connection yet: the pool drops it when its turn comes.
    }

    /** On the loop: the terminal callback, at most once; the request's buffer is released by then. */
    void complete(Throwable failure) {
        if (completed) {
            return;
        }
        completed = true;
        channel = null;
        if (request.refCnt() > 0) {
            request.release();
        }
        listener.onComplete(failure);
    }

    boolean completed() {
        return completed;
    }

    static ByteBuffer view(ByteBuf content) {
        return content.nioBufferCount() == 1 ? content.nioBuffer() : ByteBuffer.wrap(readAll(content));
    }

    private static byte[] readAll(ByteBuf content) {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        return bytes;
    }
}
