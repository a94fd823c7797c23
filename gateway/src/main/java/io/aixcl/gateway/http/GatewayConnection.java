package io.aixcl.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One client connection, on its event loop: gathers each request's body under the gateway's limit (a declared length
 * over it is refused before a byte of the body is read), hands the request to the {@link GatewayHandler}, and takes
 * the next one when the answer is done (requests a client pipelines wait their turn). Malformed requests are answered
 * here with a bare status (they never reach a route), as is a connection idle past its timeout, closed.
 */
final class GatewayConnection extends ChannelInboundHandlerAdapter {

    /** What is allocated before any byte of a body arrived: a declared length alone must not reserve the limit. */
    private static final int FIRST_BUFFER = 16 * 1024;

    /** What serves a whole request (the {@link GatewayHandler}); it calls {@link #done} when the answer is. */
    interface Dispatch {
        /** On the connection's loop; {@code body} is null when it was refused for its size ({@code tooLarge}). */
        void handle(NettyChannel channel, byte[] body, boolean tooLarge);
    }

    private final Dispatch handler;
    private final int maxBodyBytes;
    private final java.time.Duration streamWriteTimeout;
    private ChannelHandlerContext ctx;
    private HttpRequest head;
    private byte[] body;
    private int filled;
    /** The rest of a refused body is read and dropped; the connection closes after the answer. */
    private boolean discarding;
    private NettyChannel active;
    private ArrayDeque<Object> waiting;

    /** {@code streamWriteTimeout}: how long a stream may wait on a client that takes nothing before it is cut off. */
    GatewayConnection(Dispatch handler, int maxBodyBytes, java.time.Duration streamWriteTimeout) {
        this.handler = handler;
        this.maxBodyBytes = maxBodyBytes;
        this.streamWriteTimeout = streamWriteTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (discarding && message instanceof HttpContent) {
            discarding = !(message instanceof LastHttpContent);
            ReferenceCountUtil.release(message);
            return;
        }
        if (active != null || (waiting != null && !waiting.isEmpty())) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            // Pipelined: served when the answer before it is done; nothing more is read meanwhile.
            waiting.add(message);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        read(message);
    }

    private void read(Object message) {
        try {
            if (message instanceof HttpRequest request) {
                begin(request);
            }
            if (message instanceof HttpContent content) {
                if (discarding) {
                    discarding = !(message instanceof LastHttpContent);
                } else if (head != null) {
                    body(content);
                }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void begin(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            malformed(request.decoderResult().cause());
            return;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodyBytes) {
            // Refused before the body is read: the checks before the size still come first (GatewayHandler).
            discarding = true;
            dispatch(request, null, true);
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
        head = request;
        body = null;
        filled = 0;
    }

    private void body(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            head = null;
            body = null;
            malformed(content.decoderResult().cause());
            return;
        }
        ByteBuf data = content.content();
        int n = data.readableBytes();
        if (n > 0) {
            if ((long) filled + n > maxBodyBytes) {
                HttpRequest request = head;
                head = null;
                body = null;
                discarding = !(content instanceof LastHttpContent);
                dispatch(request, null, true);
                return;
            }
            if (body == null) {
                long declared = HttpUtil.getContentLength(head, FIRST_BUFFER);
                body = new byte[Math.max(n, (int) Math.min(FIRST_BUFFER, declared))];
            }
            if (filled + n > body.length) {
                body = Arrays.copyOf(body, Math.min(maxBodyBytes, Math.max(filled + n, body.length * 2)));
            }
            data.readBytes(body, filled, n);
            filled += n;
        }
        if (content instanceof LastHttpContent) {
            HttpRequest request = head;
            byte[] bytes = body == null ? GatewayHandler.NO_BODY : filled == body.length ? body
                    : Arrays.copyOf(body, filled);
            head = null;
            body = null;
            dispatch(request, bytes, false);
        }
    }

    private void dispatch(HttpRequest request, byte[] bytes, boolean tooLarge) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !tooLarge;
        active = new NettyChannel(ctx, request, keepAlive, this, streamWriteTimeout);
        handler.handle(active, bytes, tooLarge);
    }

    /** From whichever thread finished the answer: the next request may be read. */
    void done(NettyChannel channel) {
        if (ctx.executor().inEventLoop()) {
            next(channel);
        } else {
            ctx.executor().execute(() -> next(channel));
        }
    }

    private void next(NettyChannel channel) {
        if (active != channel) {
            return;
        }
        if (!ctx.channel().isActive()) {
            // Closed, and Netty tells the pipeline later: the client-gone actions run now, before the request is let go.
            channel.clientGone();
        }
        active = null;
        while (waiting != null && active == null) {
            Object message = waiting.poll();
            if (message == null) {
                ctx.channel().config().setAutoRead(true);
                break;
            }
            read(message);
        }
    }

    private void malformed(Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
        byte[] json = ("{\"error\":\"" + status.reasonPhrase().toLowerCase(java.util.Locale.ROOT) + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(json));
        response.headers().set(NettyChannel.CONTENT_TYPE, NettyChannel.JSON)
                .setInt(NettyChannel.CONTENT_LENGTH, json.length)
                .set(NettyChannel.CONNECTION, "close");
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        NettyChannel current = active;
        if (current != null) {
            current.wake();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && active == null && head == null) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Whether or not its last bytes were handed over: a stream that saw its write fail first ends itself, and
        // the client-gone actions (cancelling a generation) must run either way; on an ended generation they do nothing.
        NettyChannel current = active;
        if (current != null) {
            current.clientGone();
        }
        head = null;
        body = null;
        if (waiting != null) {
            waiting.forEach(ReferenceCountUtil::release);
            waiting.clear();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a broken pipe: the client left; closing tells whoever serves it (channelInactive).
        ctx.close();
    }
}
