package io.aixcl.engine.http;

import io.aixcl.core.inference.InferenceException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Cuts a byte stream into lines as chunks arrive, whatever the chunk boundaries (a line may span several network
 * reads). A line wholly inside a heap buffer is handed over in place; only a line split across reads is copied.
 * A line longer than the limit fails the stream rather than growing memory without bound.
 */
final class LineSplitter {

    @FunctionalInterface
    interface LineHandler {
        /** One line without its terminator ({@code \n} or {@code \r\n}), its bytes valid until {@link #readEnded}. */
        void line(byte[] bytes, int offset, int length);

        /** Every whole line of this read was handed over: the arrays they lay in will now be reused. */
        default void readEnded() {
        }
    }

    private final int maxLine;
    private final String what;
    private byte[] partial = new byte[0];
    private int partialLength;
    /**
     * Where a direct buffer's bytes are read to: one array per thread (the I/O threads read every response), lent to
     * one read at a time; a read nested inside another's handler gets its own.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        byte[] bytes = new byte[8 * 1024];
        boolean lent;
    }

    LineSplitter(int maxLine, String what) {
        this.maxLine = maxLine;
        this.what = what;
    }

    void feed(ByteBuffer chunk, LineHandler handler) {
        if (chunk.hasArray()) {
            int offset = chunk.arrayOffset();
            feed(chunk.array(), offset + chunk.position(), offset + chunk.limit(), handler);
            chunk.position(chunk.limit());
            return;
        }
        int length = chunk.remaining();
        Scratch scratch = SCRATCH.get();
        if (scratch.lent) {
            byte[] own = new byte[length];
            chunk.get(own);
            feed(own, 0, length, handler);
            return;
        }
        if (scratch.bytes.length < length) {
            scratch.bytes = new byte[length];
        }
        chunk.get(scratch.bytes, 0, length);
        scratch.lent = true;
        try {
            feed(scratch.bytes, 0, length, handler);
        } finally {
            scratch.lent = false;
        }
    }

    private void feed(byte[] bytes, int start, int end, LineHandler handler) {
        int lineStart = start;
        for (int i; (i = indexOfNewline(bytes, lineStart, end)) >= 0; ) {
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
        handler.readEnded();
        append(bytes, lineStart, end - lineStart);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * The first {@code \n} in {@code [from, end)}, or -1: eight bytes at a time (an event is a few hundred bytes, and
     * a byte-by-byte scan was the streamed request's hottest loop). A byte equal to {@code \n} becomes zero after the
     * XOR; {@code (x - 0x01..) & ~x & 0x80..} sets the high bit of the lowest zero byte (higher bytes may be set
     * falsely, never lower ones), so the trailing zeros count to the first newline in little-endian order.
     */
    static int indexOfNewline(byte[] bytes, int from, int end) {
        int i = from;
        for (; i <= end - Long.BYTES; i += Long.BYTES) {
            long x = (long) LONGS.get(bytes, i) ^ NEWLINES;
            long zero = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
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
