package io.aixcl.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * A request body of declared length, read without blocking: what has arrived now (a generation's body usually comes
 * in the same read as its headers), then the rest as Jetty says it is there. A body whose read fails is handed on
 * incomplete: a request thread reads it again ({@link #rest}) and reports the failure.
 */
final class Arrived {

    /** What is allocated before any byte arrived: a declared length alone must not reserve the gateway's limit. */
    private static final int FIRST_BUFFER = 16 * 1024;

    private final Request request;
    private final int length;
    private final Consumer<Arrived> then;
    private byte[] bytes;
    private int filled;

    private Arrived(Request request, int length, Consumer<Arrived> then) {
        this.request = request;
        this.length = length;
        this.then = then;
        this.bytes = new byte[Math.min(length, FIRST_BUFFER)];
    }

    /**
     * Reads a body of {@code length} bytes (at most the gateway's limit: the caller checked) and passes it to
     * {@code then}, at once or from the I/O thread that reads its last bytes; {@code then} must not block.
     */
    static void read(Request request, int length, Consumer<Arrived> then) {
        new Arrived(request, length, then).resume();
    }

    private void resume() {
        while (filled < length) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                // Jetty calls back when more has arrived; the continuation never blocks, so on its own thread.
                request.demand(Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::resume));
                return;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    break;
                }
                ByteBuffer data = chunk.getByteBuffer();
                int n = Math.min(data.remaining(), length - filled);
                if (filled + n > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.min(length, Math.max(filled + n, bytes.length * 2)));
                }
                data.get(bytes, filled, n);
                filled += n;
                if (chunk.isLast()) {
                    break;
                }
            } finally {
                chunk.release();
            }
        }
        then.accept(this);
    }

    boolean complete() {
        return filled == length;
    }

    /** The whole body, reading (blocking) what could not be read without. */
    byte[] rest() throws IOException {
        if (!complete()) {
            bytes = Arrays.copyOf(bytes, length);
            try (InputStream in = Content.Source.asInputStream(request)) {
                filled += in.readNBytes(bytes, filled, length - filled);
            }
            if (!complete()) {
                throw new IOException("the request body ended after " + filled + " of " + length + " bytes");
            }
        }
        return bytes; // complete: exactly the declared length
    }
}
