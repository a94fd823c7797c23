package io.aixcl.engine.http;

import io.aixcl.core.inference.InferenceException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A non-streamed answer: the body is collected and read once it is complete. */
final class WholeBodyDecoder implements ResponseDecoder {

    @FunctionalInterface
    interface BodyHandler {
        void body(byte[] bytes, int length, GenerationSink sink);
    }

    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final byte[] NONE = new byte[0];

    private final BodyHandler handler;

    // Sized by the first chunk, which is usually the whole answer (a few hundred bytes): a fixed 4 KiB start was a
    // sixth of the bytes a proxied request allocated.
    private byte[] body = NONE;
    private int length;

    WholeBodyDecoder(BodyHandler handler) {
        this.handler = handler;
    }

    @Override
    public void decode(ByteBuffer chunk, GenerationSink sink) {
        int n = chunk.remaining();
        if (length + n > MAX_BODY) {
            throw new InferenceException.EngineUnavailable(
                    "the upstream's answer is larger than " + MAX_BODY + " bytes", null);
        }
        if (length + n > body.length) {
            body = Arrays.copyOf(body, length == 0 ? n : Math.max(length + n, body.length * 2));
        }
        chunk.get(body, length, n);
        length += n;
    }

    @Override
    public void end(GenerationSink sink) {
        handler.body(body, length, sink);
    }
}
