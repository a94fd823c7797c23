package io.aixcl.engine.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The keep-alive connections to one upstream owned by one event loop. Everything here runs on that loop, so an
 * answer is read, decoded and handed on by the thread that asked for it (when a gateway loop asked): no locks, no
 * hand-off. Beyond {@code limit} open connections, exchanges wait for one to come free.
 */
final class LoopConnections {

    private final EventLoop loop;
    /** Resolved when the upstream is an IP literal; else a host name resolved at each connect, off the loop. */
    private final InetSocketAddress address;
    private final SslContext tls;
    private final int limit;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;

    LoopConnections(EventLoop loop, InetSocketAddress address, SslContext tls, int limit, Duration connectTimeout,
                    Duration idleTimeout) {
        this.loop = loop;
        this.address = address;
        this.tls = tls;
        this.limit = limit;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    EventLoop loop() {
        return loop;
    }

    /** Sends {@code exchange} on a connection of this loop; from another thread, the loop does it. */
    void send(Exchange exchange) {
        if (loop.inEventLoop()) {
            acquire(exchange);
        } else {
            loop.execute(() -> acquire(exchange));
        }
    }

    /** Closes every connection; exchanges in flight fail as their connections close. */
    void close() {
        loop.execute(() -> {
            closed = true;
            for (Exchange waiter : waiting) {
                waiter.complete(new ClosedChannelException());
            }
            waiting.clear();
            for (Channel channel : idle) {
                channel.close();
            }
            idle.clear();
        });
    }

    private void acquire(Exchange exchange) {
        if (exchange.aborted()) {
            exchange.complete(new java.util.concurrent.CancellationException("aborted before it was sent"));
            return;
        }
        if (closed) {
            exchange.complete(new ClosedChannelException());
            return;
        }
        Channel channel;
        while (!exchange.retried() && (channel = idle.pollLast()) != null) {
            if (channel.isActive()) {
                channel.pipeline().get(Carrier.class).reused = true;
                dispatch(channel, exchange);
                return;
            }
        }
        if (open < limit) {
            connect(exchange);
        } else {
            waiting.add(exchange);
        }
    }

    private void connect(Exchange exchange) {
        open++;
        if (!address.isUnresolved()) {
            connect(address, exchange);
            return;
        }
        // A name lookup blocks (the JDK's resolver): on a virtual thread, never on the loop every client shares.
        Thread.ofVirtual().start(() -> {
            try {
                InetSocketAddress resolved = new InetSocketAddress(
                        java.net.InetAddress.getByName(address.getHostString()), address.getPort());
                loop.execute(() -> connect(resolved, exchange));
            } catch (java.net.UnknownHostException e) {
                loop.execute(() -> failedConnect(exchange, e));
            }
        });
    }

    private void connect(InetSocketAddress target, Exchange exchange) {
        Bootstrap bootstrap = new Bootstrap();
        if (loop.parent() instanceof EpollEventLoopGroup) {
            // Level-triggered, as the gateway's: no extra read to EAGAIN after every answer read.
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        ChannelFuture connecting = bootstrap.group(loop).channel(socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            SSLEngine engine = tls.newEngine(channel.alloc(), address.getHostString(),
                                    address.getPort());
                            SSLParameters parameters = engine.getSSLParameters();
                            parameters.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(parameters);
                            channel.pipeline().addLast(new SslHandler(engine));
                        }
                        // Reader idle: a pooled connection's last act was reading its answer, so it is idle as long
                        // as it has read nothing; watching writes too cost a listener on every write.
                        channel.pipeline().addLast(
                                new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                new HttpClientCodec(),
                                new Carrier());
                    }
                })
                .connect(target);
        connecting.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                dispatch(done.channel(), exchange);
            } else {
                failedConnect(exchange, done.cause());
            }
        });
    }

    /** A channel of the loop's kind: epoll's on an epoll loop (the daemon's, where it loads), else NIO's. */
    private Class<? extends Channel> socketChannel() {
        return loop.parent() instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private void failedConnect(Exchange exchange, Throwable cause) {
        open--;
        exchange.complete(cause);
        // Whoever waits would fail the same way, but only when its own connect does: try for the next one.
        Exchange next = waiting.poll();
        if (next != null) {
            acquire(next);
        }
    }

    private void dispatch(Channel channel, Exchange exchange) {
        Carrier carrier = channel.pipeline().get(Carrier.class);
        carrier.exchange = exchange;
        exchange.carriedBy(channel);
        if (exchange.aborted()) {
            channel.close();
            return;
        }
        // The body retained and duplicated (a retry sends it again; an aborted exchange's request is released by the
        // exchange, whether it was written or not), the read-only headers shared rather than copied.
        FullHttpRequest request = exchange.request();
        channel.write(new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                        request.content().retainedDuplicate(), request.headers(), request.trailingHeaders())).addListener((ChannelFuture written) -> {
            if (!written.isSuccess()) {
                carrier.failure = written.cause();
                written.channel().close();
            }
        });
        carrier.flushAtRoundEnd();
    }

    /** A connection whose exchange ended cleanly: the next waiter gets it, else it idles until evicted. */
    private void release(Channel channel) {
        if (closed) {
            channel.close();
            return;
        }
        Exchange next;
        while ((next = waiting.poll()) != null) {
            if (!next.aborted()) {
                dispatch(channel, next);
                return;
            }
            next.complete(new java.util.concurrent.CancellationException("aborted before it was sent"));
        }
        idle.addLast(channel);
    }

    /** The last handler of a connection: hands the answer of the exchange it carries to that exchange's listener. */
    private final class Carrier extends ChannelInboundHandlerAdapter {

        Exchange exchange;
        Throwable failure;
        /** The exchange went out on a kept-alive connection, which the upstream may have closed meanwhile. */
        boolean reused;
        private boolean answered;
        private boolean keepAlive;
        private Channel channel;
        private boolean flushQueued;
        private final Runnable flush = () -> {
            flushQueued = false;
            channel.flush();
        };

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        /**
         * The request written is flushed once the loop has handled what it read this round, with the round's other
         * requests: an upstream asleep is woken once for them rather than once each.
         */
        void flushAtRoundEnd() {
            if (!flushQueued) {
                flushQueued = true;
                channel.eventLoop().execute(flush);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            try {
                Exchange current = exchange;
                if (current == null) {
                    return; // an idle connection has nothing to say; it closes below when it ends
                }
                if (message instanceof HttpResponse response) {
                    answered = true;
                    keepAlive = HttpUtil.isKeepAlive(response);
                    current.listener().onHeaders(response.status().code(),
                            response.headers().get(HttpHeaderNames.CONTENT_TYPE));
                }
                if (message instanceof HttpContent content) {
                    if (content.content().isReadable()) {
                        current.listener().onContent(Exchange.view(content.content()));
                    }
                    if (message instanceof LastHttpContent) {
                        exchange = null;
                        if (!ctx.channel().config().isAutoRead()) {
                            // Paused by a client that stopped reading: a kept-alive connection reads again.
                            ctx.channel().config().setAutoRead(true);
                        }
                        answered = false;
                        reused = false;
                        if (keepAlive && !current.aborted() && ctx.channel().isActive()) {
                            release(ctx.channel());
                        } else {
                            ctx.close();
                        }
                        current.complete(null);
                    }
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent && exchange == null) {
                ctx.close(); // evicted: idle longer than the upstream is likely to keep it
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open--;
            idle.remove(ctx.channel());
            Exchange current = exchange;
            exchange = null;
            if (current != null && reused && !answered && !current.aborted() && !current.retried()) {
                // A kept-alive connection the upstream had closed while it idled (its close not yet read): the
                // request was never answered, so it goes once more, on a connection of its own.
                current.retry();
                acquire(current);
            } else if (current != null) {
                current.complete(failure != null ? failure : new EOFException("the upstream closed the connection"));
            }
            Exchange next = waiting.poll();
            if (next != null) {
                acquire(next);
            }
        }
    }
}
