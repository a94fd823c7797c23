package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.ResponseChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A response on a Netty connection. A whole response is written and the caller goes on (to record the request). A
 * stream is written by its engine's callbacks ({@link #push}: never waits; the connection's writability pauses and
 * resumes the source, {@link #backPressure}), so a client that reads slowly slows only its own
 * generation and the daemon buffers at most the connection's high-water mark, and one that left is noticed at the
 * next token, or at once by {@link #onClientGone}. A client that takes nothing for the write timeout while its
 * stream waits is cut off: the stream's source is told and the connection closed, so a client
 * that stops reading holds a generation (its model slot, its upstream connection) that long at most. A channel made
 * on the event loop that read the request runs blocking work ({@link #blocking}) on a virtual thread of its own.
 */
final class NettyChannel implements ResponseChannel {

    /** Pushed bytes past this are written at once rather than at the end of the loop's round. */
    private static final int PUSHED_CHUNK = 16 * 1024;
    /** A pushed round's first buffer: a typical round (an upstream read of a few events) fits without growing. */
    private static final int PUSHED_START = 4 * 1024;
    static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    static final AsciiString CONNECTION = AsciiString.cached("Connection");
    static final AsciiString TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");
    static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
    static final AsciiString JSON = AsciiString.cached("application/json; charset=utf-8");
    private static final AsciiString NO_CACHE = AsciiString.cached("no-cache");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");

    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final HttpVersion version;
    private final GatewayConnection connection;
    /** How long a stream may wait on a client that takes nothing (its connection not writable). */
    private final Duration writeTimeout;
    private final HttpHeaders headers = new DefaultHttpHeaders(false);
    private boolean keepAlive;
    private volatile boolean completed;
    private boolean streaming;
    private boolean headSent;
    private AsciiString streamType;
    private volatile boolean broken;
    private boolean gone;
    private List<Runnable> goneActions;
    private CompletionStage<?> later;
    /** Served on the event loop that read the request: nothing here may block. */
    private boolean onIoThread;
    /** Inside {@link #blocking} on its own thread: an answer given later ends that work's future instead. */
    private CompletionStage<?> nested;
    private boolean offloaded;
    /** The flush of what this round wrote (or pushed) is on the loop's queue (only touched on the loop). */
    private boolean flushScheduled;
    private final Runnable flushRound = this::flushRound;
    private final ChannelFutureListener written = this::written;
    /**
     * Pushed this round and not yet written (only touched on the loop): a pooled direct buffer, which the socket writes
     * as it is, where a heap array was copied twice on the way (grown, then into a direct buffer).
     */
    private ByteBuf pushed;
    /** What holds a pushed stream's source back, and lets it go. */
    private volatile Runnable pause;
    private volatile Runnable resume;
    private volatile Consumer<Duration> stalled;
    /** Armed while a pushed stream is paused: cuts the client off at the write timeout (only touched on the loop). */
    private ScheduledFuture<?> stallTimer;

    NettyChannel(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive, GatewayConnection connection,
                 Duration writeTimeout) {
        this.ctx = ctx;
        this.request = request;
        this.version = request.protocolVersion();
        this.keepAlive = keepAlive;
        this.connection = connection;
        this.writeTimeout = writeTimeout;
    }

    HttpRequest request() {
        return request;
    }

    /** The response's headers until it is committed. */
    HttpHeaders headers() {
        return headers;
    }

    void onIoThread(boolean value) {
        onIoThread = value;
    }

    boolean completed() {
        return completed;
    }

    boolean streaming() {
        return streaming;
    }

    GatewayConnection connection() {
        return connection;
    }

    /** The answer still to come, or null when the route answered (or failed) before returning. */
    CompletionStage<?> pending() {
        return later;
    }

    @Override
    public void json(int status, byte[] body) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body), headers, EmptyHttpHeaders.INSTANCE);
        headers.set(CONTENT_TYPE, JSON);
        headers.setInt(CONTENT_LENGTH, body.length);
        connectionHeader();
        completed = true;
        last(send(response));
    }

    void noContent() {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
        connectionHeader();
        completed = true;
        last(send(response));
    }

    /** The request could not be answered (a route left it open); a generic 500 without details. */
    void noResponse() {
        if (streaming) {
            finishStream();
        } else {
            json(500, "{\"error\":\"no response\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Override
    public void startStream(String contentType) {
        streaming = true;
        streamType = new AsciiString(contentType);
    }

    /** The stream's head, before its first bytes; a HTTP/1.0 client gets the body delimited by the close. */
    private void head() {
        if (headSent) {
            return;
        }
        headSent = true;
        headers.set(CONTENT_TYPE, streamType);
        headers.set(CACHE_CONTROL, NO_CACHE);
        if (version == HttpVersion.HTTP_1_0) {
            keepAlive = false;
        } else {
            headers.set(TRANSFER_ENCODING, CHUNKED);
        }
        connectionHeader();
        ctx.write(new DefaultHttpResponse(version, HttpResponseStatus.OK, headers));
    }

    @Override
    public void push(byte[] bytes, int offset, int length) throws IOException {
        if (broken) {
            throw new IOException("the client went away");
        }
        if (!ctx.executor().inEventLoop()) {
            head();
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(bytes, offset, length))).addListener(written);
            return;
        }
        if (pushed == null) {
            pushed = ctx.alloc().directBuffer(Math.max(PUSHED_START, length));
        }
        pushed.writeBytes(bytes, offset, length);
        if (pushed.readableBytes() >= PUSHED_CHUNK) {
            writePushed(); // counted against the connection's high-water mark now, not at the end of the round
        }
        // Written and flushed once the loop has handled what it read this round: an upstream read that carried
        // several events leaves as one chunk in one write (a syscall and a wake-up of the client each).
        flushAtRoundEnd();
    }

    /**
     * Written now, flushed with the loop's other answers once it has handled what it read this round: the writes of a
     * busy loop leave together, so a client or upstream asleep is woken once for them rather than once each.
     */
    private ChannelFuture send(Object message) {
        if (!ctx.executor().inEventLoop()) {
            return ctx.writeAndFlush(message);
        }
        ChannelFuture write = ctx.write(message);
        flushAtRoundEnd();
        return write;
    }

    private void flushAtRoundEnd() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushRound);
        }
    }

    /** On the loop: what was pushed and not yet written goes out as one chunk (not flushed). */
    private void writePushed() {
        if (pushed == null) {
            return;
        }
        head();
        ByteBuf chunk = pushed;
        pushed = null;
        ctx.write(new DefaultHttpContent(chunk)).addListener(written);
    }

    /** At the end of the loop's round: what was pushed goes out as one chunk, with everything written, in one flush. */
    private void flushRound() {
        flushScheduled = false;
        writePushed();
        ctx.flush();
    }

    @Override
    public void backPressure(Runnable pause, Runnable resume, Consumer<Duration> stalled) {
        this.pause = pause;
        this.resume = resume;
        this.stalled = stalled;
    }

    private void written(ChannelFuture write) {
        if (!write.isSuccess()) {
            broken = true;
            wake();
        }
    }

    /** From the loop: the connection became writable again, or not, or closed. */
    void wake() {
        Runnable hold = pause;
        if (hold != null && !broken) { // a client gone or cut off: its stream is ending, not to be held or let go
            if (ctx.channel().isWritable()) {
                disarmStallTimer();
                resume.run();
            } else {
                hold.run();
                if (stallTimer == null && !broken && !completed) {
                    stallTimer = ctx.executor().schedule(this::stalled, writeTimeout.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /**
     * On the loop, the write timeout after a pushed stream was paused, its client having taken nothing since: the
     * source ends its stream (a generation is cancelled, billed and recorded as cut off) and the connection closes,
     * since a last chunk would never be read.
     */
    private void stalled() {
        stallTimer = null;
        if (broken || completed || ctx.channel().isWritable()) {
            return;
        }
        broken = true;
        Consumer<Duration> action = stalled;
        try {
            if (action != null) {
                action.accept(writeTimeout);
            }
        } finally {
            ctx.close();
        }
    }

    private void disarmStallTimer() {
        if (stallTimer != null) {
            stallTimer.cancel(false);
            stallTimer = null;
        }
    }

    @Override
    public void end(byte[] bytes) {
        completed = true;
        if (ctx.executor().inEventLoop()) {
            disarmStallTimer();
        }
        head();
        ByteBuf last;
        if (pushed != null && ctx.executor().inEventLoop()) {
            last = pushed.writeBytes(bytes); // what this round pushed goes out with the end, in one chunk
            pushed = null;
        } else {
            last = Unpooled.wrappedBuffer(bytes);
        }
        last(send(new DefaultLastHttpContent(last)));
    }

    /** Ends a stream: the last (empty) write, or closing the connection when the client is gone. */
    void finishStream() {
        completed = true;
        if (broken) {
            ctx.close();
        } else {
            head();
            if (ctx.executor().inEventLoop()) {
                writePushed();
            }
            last(send(LastHttpContent.EMPTY_LAST_CONTENT));
        }
    }

    private void connectionHeader() {
        if (!keepAlive) {
            headers.set(CONNECTION, CLOSE);
        } else if (version == HttpVersion.HTTP_1_0) {
            headers.set(CONNECTION, KEEP_ALIVE);
        }
    }

    private void last(ChannelFuture write) {
        if (!keepAlive) {
            write.addListener(ChannelFutureListener.CLOSE);
        }
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
        synchronized (this) {
            if (!gone) {
                if (goneActions == null) {
                    goneActions = new ArrayList<>(1);
                }
                goneActions.add(action);
                return;
            }
        }
        action.run();
    }

    /** From the loop: the connection closed before the response was done. */
    void clientGone() {
        disarmStallTimer();
        List<Runnable> actions;
        synchronized (this) {
            gone = true;
            broken = true;
            actions = goneActions;
            goneActions = null;
            notifyAll();
        }
        if (actions != null) {
            for (Runnable action : actions) {
                action.run();
            }
        }
    }
}
