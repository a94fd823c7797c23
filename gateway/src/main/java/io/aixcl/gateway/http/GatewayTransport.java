package io.aixcl.gateway.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's HTTP/1.1 server: Netty on one event loop per core (at most 8), each connection served start to end by
 * the loop that accepted it. The loops are the daemon's when it gives them (shared with the HTTP engines, whose
 * upstream connections of the same loop carry the generations), else the server's own from start to close.
 */
public final class GatewayTransport implements AutoCloseable {

    private final InetSocketAddress listen;
    private final GatewayHandler handler;
    private final int maxBodyBytes;
    private final Duration idleTimeout;
    private final Duration streamWriteTimeout;
    private final Duration stopTimeout;
    private final EventLoopGroup shared;
    private EventLoopGroup loops;
    private Channel server;
    private ChannelGroup connections;

    public GatewayTransport(InetSocketAddress listen, GatewayHandler handler, int maxBodyBytes, Duration idleTimeout,
                            Duration streamWriteTimeout, Duration stopTimeout, EventLoopGroup shared) {
        this.listen = listen;
        this.handler = handler;
        this.maxBodyBytes = maxBodyBytes;
        this.idleTimeout = idleTimeout;
        this.streamWriteTimeout = streamWriteTimeout;
        this.stopTimeout = stopTimeout;
        this.shared = shared;
    }

    /**
     * One loop per core, at most 8: the loops are the request workers (a whole answer is served where it is read).
     * Linux's epoll when Netty's native transport loads (~10% less CPU a proxied request than the JDK's selector),
     * else NIO. Channels made on these loops must be of the same kind: see {@link #serverChannel}.
     */
    public static EventLoopGroup newLoops(String threadName) {
        int count = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
        DefaultThreadFactory threads = new DefaultThreadFactory(threadName, true);
        return Epoll.isAvailable() ? new EpollEventLoopGroup(count, threads) : new NioEventLoopGroup(count, threads);
    }

    static Class<? extends ServerChannel> serverChannel(EventLoopGroup loops) {
        return loops instanceof EpollEventLoopGroup ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Binds and serves; throws UncheckedIOException when the address cannot be bound. */
    public synchronized void start() {
        loops = shared != null ? shared : newLoops("gateway");
        connections = new DefaultChannelGroup("gateway", GlobalEventExecutor.INSTANCE);
        ChannelGroup open = connections;
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(serverChannel(loops));
            if (loops instanceof EpollEventLoopGroup) {
                // Level-triggered: a read that did not fill its buffer is the last; edge-triggered epoll makes Netty
                // read again until EAGAIN, one more syscall for every request read.
                bootstrap.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
            }
            server = bootstrap
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            open.add(channel);
                            channel.pipeline().addLast(
                                    new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                    new HttpServerCodec(),
                                    new GatewayConnection(handler, maxBodyBytes, streamWriteTimeout));
                        }
                    })
                    .bind(listen).syncUninterruptibly().channel();
        } catch (Exception e) {
            // A bind failure is thrown unchecked by Netty, whatever its declared type.
            stopLoops();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("the gateway cannot listen on " + listen + ": " + e.getMessage(), io);
            }
            throw new IllegalStateException("the gateway cannot start: " + e.getMessage(), e);
        }
    }

    /** Where it listens, with the real port when port 0 was configured. */
    public synchronized InetSocketAddress address() {
        return server == null ? listen : new InetSocketAddress(listen.getAddress(),
                ((InetSocketAddress) server.localAddress()).getPort());
    }

    /** Stops taking connections, lets requests in flight finish (up to the stop timeout), then closes the rest. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
            handler.awaitIdle(stopTimeout);
            connections.close().awaitUninterruptibly(stopTimeout.toMillis());
            server = null;
        }
        stopLoops();
    }

    private void stopLoops() {
        if (loops != null && loops != shared) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        loops = null;
    }
}
