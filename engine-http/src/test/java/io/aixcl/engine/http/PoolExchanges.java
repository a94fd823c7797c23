package io.aixcl.engine.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** For tests of {@link LoopConnections} against a hand-written upstream: one request out, its head read there. */
final class PoolExchanges {

    private PoolExchanges() {
    }

    /** Sends {@code GET /v1/models} on {@code pool}; completes with the exchange's failure, or null. */
    static CompletableFuture<Throwable> send(LoopConnections pool) {
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/models",
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        pool.send(new Exchange(request, new Exchange.Listener() {
            @Override
            public void onHeaders(int status, String contentType) {
            }

            @Override
            public void onContent(ByteBuffer content) {
            }

            @Override
            public void onComplete(Throwable failure) {
                done.complete(failure);
            }
        }));
        return done;
    }

    /** Reads a request's head, up to its blank line; fails when the connection ends first. */
    static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
