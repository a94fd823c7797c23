package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The newline search eight bytes at a time finds what a byte-by-byte scan finds, and lines survive any read cuts. */
class LineSplitterTest {

    /** Bytes near a newline's bit pattern, where a word-at-a-time search goes wrong first. */
    private static final byte[] TRICKY = {'\n', '\n' - 1, '\n' + 1, (byte) 0x8A, 0x0B, 0x09, 0, (byte) 0xFF, '\r', 'a'};

    @Test
    void theWordAtATimeSearchFindsTheFirstNewlineAsAByteScanDoes() {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : TRICKY[random.nextInt(TRICKY.length)];
                if (random.nextInt(3) > 0 && bytes[i] == '\n') {
                    bytes[i] = 'x'; // sparser newlines: longer words without one
                }
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int end = from + random.nextInt(bytes.length - from + 1);
            assertThat(LineSplitter.indexOfNewline(bytes, from, end))
                    .as("%s [%d, %d)", Arrays.toString(bytes), from, end).isEqualTo(byteScan(bytes, from, end));
        }
    }

    @Test
    void linesAreTheSameWhereverTheReadsAreCut() {
        Random random = new Random(11);
        for (int round = 0; round < 500; round++) {
            StringBuilder text = new StringBuilder();
            List<String> expected = new ArrayList<>();
            int lines = random.nextInt(12);
            for (int l = 0; l < lines; l++) {
                StringBuilder line = new StringBuilder();
                int length = random.nextInt(random.nextBoolean() ? 6 : 300);
                for (int k = 0; k < length; k++) {
                    line.append((char) ('!' + random.nextInt(90)));
                }
                expected.add(line.toString());
                text.append(line).append(random.nextBoolean() ? "\r\n" : "\n");
            }
            byte[] bytes = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            List<String> seen = new ArrayList<>();
            LineSplitter splitter = new LineSplitter(4096, "test");
            LineSplitter.LineHandler handler = (b, off, len) ->
                    seen.add(new String(b, off, len, java.nio.charset.StandardCharsets.US_ASCII));
            for (int at = 0; at < bytes.length; ) {
                int n = 1 + random.nextInt(Math.min(64, bytes.length - at));
                ByteBuffer read = random.nextBoolean() ? ByteBuffer.wrap(bytes, at, n)
                        : ByteBuffer.allocateDirect(n).put(bytes, at, n).flip();
                splitter.feed(read, handler);
                at += n;
            }
            splitter.finish(handler);
            assertThat(seen).isEqualTo(expected);
        }
    }

    private static int byteScan(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
