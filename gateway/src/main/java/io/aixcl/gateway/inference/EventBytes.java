package io.aixcl.gateway.inference;

import java.util.Arrays;

/**
 * A stream's next bytes, built in one array reused for the whole stream (its events come one at a time), then copied
 * once into the connection's buffer: an event rendered as its own array was a third of a streamed request's garbage.
 */
public final class EventBytes {

    private byte[] bytes = new byte[512];
    private int length;

    public void append(byte[] more) {
        append(more, 0, more.length);
    }

    public void append(byte[] more, int offset, int count) {
        ensure(count);
        System.arraycopy(more, offset, bytes, length, count);
        length += count;
    }

    /**
     * Appends {@code text} when every character is printable ASCII that JSON leaves as it is (no quote, no backslash),
     * as most tokens are; returns false, having appended nothing, for any other text.
     */
    public boolean appendPlainAscii(String text) {
        int n = text.length();
        ensure(n);
        byte[] out = bytes;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
            out[at + i] = (byte) c;
        }
        length = at + n;
        return true;
    }

    public byte[] array() {
        return bytes;
    }

    public int length() {
        return length;
    }

    public void clear() {
        length = 0;
    }

    /** Drops what was appended past {@code mark} (an earlier {@link #length}). */
    public void truncate(int mark) {
        if (mark < 0 || mark > length) {
            throw new IndexOutOfBoundsException(mark);
        }
        length = mark;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
        }
    }
}
