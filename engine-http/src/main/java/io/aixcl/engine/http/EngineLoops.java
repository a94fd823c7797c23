package io.aixcl.engine.http;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The event loops an upstream's connections live on: the daemon's (shared with the gateway, so an answer is read on
 * the loop that writes it to the client), or, for an engine made on its own, a group it owns and shuts down.
 */
final class EngineLoops {

    private final EventLoopGroup group;
    private final boolean owned;

    private EngineLoops(EventLoopGroup group, boolean owned) {
        this.group = group;
        this.owned = owned;
    }

    static EngineLoops shared(EventLoopGroup group) {
        return new EngineLoops(java.util.Objects.requireNonNull(group, "group is null"), false);
    }

    /** One loop per core (at most 8), daemon threads started on first use; epoll where it loads, as the gateway's. */
    static EngineLoops own(String threadName) {
        int loops = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
        DefaultThreadFactory threads = new DefaultThreadFactory(threadName, true);
        return new EngineLoops(Epoll.isAvailable() ? new EpollEventLoopGroup(loops, threads)
                : new NioEventLoopGroup(loops, threads), true);
    }

    EventLoopGroup group() {
        return group;
    }

    /** The loop of this group the calling thread is, or null. */
    EventLoop current() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return (EventLoop) executor;
            }
        }
        return null;
    }

    /** Shuts an owned group down (without waiting out Netty's quiet period); a shared one belongs to its creator. */
    void release() {
        if (owned) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }
}
