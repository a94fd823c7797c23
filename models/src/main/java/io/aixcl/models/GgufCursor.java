package io.aixcl.models;

import io.aixcl.core.models.InvalidModelFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;

/**
 * Little-endian reads over a file with every length checked against the bytes that are left, so a hostile header
 * can neither read past the end nor make us allocate more than the file holds.
 */
final class GgufCursor {
    private final SeekableByteChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private long position;

    GgufCursor(SeekableByteChannel channel, long size) {
        this.channel = channel;
        this.size = size;
        buffer.limit(0);
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - position;
    }

    /** Fails with the offset and what was being read when fewer than {@code n} bytes are left. */
    void require(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw new InvalidModelFile("file is truncated: " + what + " needs " + (n < 0 ? "an impossible number of" : n)
                    + " bytes but only " + remaining() + " are left", position);
        }
    }

    int u8(String what) {
        return fill(1, what).get() & 0xff;
    }

    int u32AsInt(String what) {
        return fill(4, what).getInt();
    }

    long u32(String what) {
        return Integer.toUnsignedLong(fill(4, what).getInt());
    }

    /** A u64; values above 2^63-1 come back negative, which every caller treats as absurd. */
    long u64(String what) {
        return fill(8, what).getLong();
    }

    byte[] bytes(int n, String what) {
        require(n, what);
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, buffer.capacity());
            fill(chunk, what).get(out, done, chunk);
            done += chunk;
        }
        return out;
    }

    void skip(long n, String what) {
        require(n, what);
        if (n <= buffer.remaining()) {
            buffer.position(buffer.position() + (int) n);
        } else {
            buffer.limit(0);
        }
        position += n;
    }

    private ByteBuffer fill(int n, String what) {
        require(n, what);
        if (buffer.remaining() < n) {
            buffer.compact(); // buffer[0] is now the byte at 'position'
            try {
                channel.position(position + buffer.position());
                while (buffer.position() < n) {
                    int read = channel.read(buffer);
                    if (read < 0) {
                        throw new InvalidModelFile("file ended early while reading " + what, position);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read model file: " + e.getMessage(), e);
            }
            buffer.flip();
        }
        position += n;
        return buffer;
    }
}
