package io.aixcl.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 byte buffer for {@link CanonicalEntry}: entries are written straight to bytes, without the
 * StringBuilder, String and encoding copies in between (an entry is encoded for every gateway request).
 */
final class Utf8Builder {

    private byte[] bytes;
    private int length;

    Utf8Builder(int capacity) {
        bytes = new byte[capacity];
    }

    /** Appends {@code s}, which the caller knows is ASCII (a literal of the format). */
    void ascii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, bytes, length); // deprecated for losing the high byte, which ASCII does not have
        length += n;
    }

    /**
     * Appends {@code s} if every char is printable ASCII other than {@code "} and {@code \}: then its JSON string body
     * is itself, byte for byte. False, with nothing appended, otherwise.
     */
    boolean plainAscii(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        ensure(n + 2);
        bytes[length++] = '"';
        s.getBytes(0, n, bytes, length);
        length += n;
        bytes[length++] = '"';
        return true;
    }

    /** Appends any text as UTF-8 (a lone surrogate becomes '?', as String.getBytes makes it). */
    void utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(b.length);
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
    }

    void digits(int value, int width) {
        ensure(width);
        for (int i = length + width - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += width;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
        }
    }
}
