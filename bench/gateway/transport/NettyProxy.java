import io.netty.bootstrap.*;
import io.netty.buffer.*;
import io.netty.channel.*;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.*;
import io.netty.handler.codec.http.*;

public class NettyProxy {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        int upPort = Integer.parseInt(a[1]);
        EventLoopGroup group = new NioEventLoopGroup(Runtime.getRuntime().availableProcessors());
        new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Front(upPort));
                }
            }).bind("127.0.0.1", port).sync();
        System.out.println("ready");
        Thread.currentThread().join();
    }

    static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
        final int upPort; Channel up; ChannelHandlerContext front;
        Front(int upPort) { this.upPort = upPort; }
        @Override public void channelActive(ChannelHandlerContext ctx) {
            front = ctx;
            ctx.channel().config().setAutoRead(false);
            new Bootstrap().group(ctx.channel().eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override protected void channelRead0(ChannelHandlerContext c, FullHttpResponse r) {
                                    FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.content().retain());
                                    out.headers().set(HttpHeaderNames.CONTENT_TYPE, r.headers().get(HttpHeaderNames.CONTENT_TYPE));
                                    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
                                    front.writeAndFlush(out);
                                    front.channel().read();
                                }
                            });
                    }
                }).connect("127.0.0.1", upPort).addListener((ChannelFutureListener) f -> {
                    up = f.channel();
                    ctx.channel().read();
                });
        }
        @Override protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, req.uri(), req.content().retain());
            out.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, out.content().readableBytes());
            up.writeAndFlush(out);
        }
        @Override public void channelInactive(ChannelHandlerContext ctx) { if (up != null) up.close(); }
    }
}
