package io.aixcl.engine.http;

import io.aixcl.core.inference.InferenceException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts a byte stream into lines as chunks arrive, whatever the chunk boundaries (a line may span several network
 * reads). A line wholly inside a heap buffer is handed over in place; only a line split across reads is copied.
 * A line longer than the limit fails the stream rather than growing memory without bound.
 */
final class LineSplitter {

    @FunctionalInterface
    interface LineHandler {
        /** One line without its terminator ({@code \n} or {@code \r\n}). */
        void line(byte[] bytes, int offset, int length);
    }

    private final int maxLine;
    private final String what;
    private byte[] partial = new byte[0];
    private int partialLength;

    LineSplitter(int maxLine, String what) {
        this.maxLine = maxLine;
        this.what = what;
    }

    void feed(ByteBuffer chunk, LineHandler handler) {
        byte[] bytes;
        int start;
        int end;
        if (chunk.hasArray()) {
            bytes = chunk.array();
            start = chunk.arrayOffset() + chunk.position();
            end = chunk.arrayOffset() + chunk.limit();
        } else {
            bytes = new byte[chunk.remaining()];
            chunk.duplicate().get(bytes);
            start = 0;
            end = bytes.length;
        }
        chunk.position(chunk.limit());
        int lineStart = start;
        for (int i = start; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (partialLength == 0) {
                emit(bytes, lineStart, i - lineStart, handler);
            } else {
                append(bytes, lineStart, i - lineStart);
                int length = partialLength;
                partialLength = 0;
                emit(partial, 0, length, handler);
            }
            lineStart = i + 1;
        }
        append(bytes, lineStart, end - lineStart);
    }

    /** The stream ended: hands over a last line that had no terminator. */
    void finish(LineHandler handler) {
        if (partialLength > 0) {
            int length = partialLength;
            partialLength = 0;
            emit(partial, 0, length, handler);
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        if (partialLength + length > maxLine) {
            throw new InferenceException.EngineUnavailable(
                    "the upstream sent a " + what + " line longer than " + maxLine + " bytes", null);
        }
        if (partialLength + length > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + length, Math.min(maxLine, partial.length * 2 + 256)));
        }
        System.arraycopy(bytes, offset, partial, partialLength, length);
        partialLength += length;
    }

    private static void emit(byte[] bytes, int offset, int length, LineHandler handler) {
        if (length > 0 && bytes[offset + length - 1] == '\r') {
            length--;
        }
        handler.line(bytes, offset, length);
    }
}
