package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.models.Digest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink hashes on its own thread: buffers written in order are handed over, bytes written ahead are read back once
 * the gap before them fills, and a resume hashes what is on disk first. Whatever the interleaving, the digest is the
 * sha256 of the bytes.
 */
class DigestingSinkTest {

    @TempDir
    Path dir;

    @Test
    void concurrentChunksWrittenInPiecesHashToTheWholeBlobsDigest() throws Exception {
        byte[] blob = random(5 * 300_000 + 12_345, 1);
        ChunkLedger ledger = ChunkLedger.fresh(blob.length, 300_000);
        try (FileChannel ch = open(); DigestingSink sink = new DigestingSink(ch, ledger, 3)) {
            // Three writers for six chunks, in pieces of odd sizes: most bytes land ahead of the hashed prefix.
            ExecutorService writers = Executors.newFixedThreadPool(3);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int first = w;
                done.add(writers.submit(() -> {
                    for (int c = first; c < ledger.chunks(); c += 3) {
                        writeChunk(sink, ledger, c, blob, 70_001);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            assertThat(sink.finish(blob.length)).isEqualTo(sha256(blob));
        }
        assertThat(Files.readAllBytes(dir.resolve("partial"))).isEqualTo(blob);
    }

    @Test
    void aResumeHashesWhatIsOnDiskAndThenWhatArrives() throws Exception {
        byte[] blob = random(2_000_000, 2);
        Files.write(dir.resolve("partial"), java.util.Arrays.copyOf(blob, 800_000));
        ChunkLedger ledger = new ChunkLedger(blob.length, Long.MAX_VALUE, new long[] {800_000});
        try (FileChannel ch = open(); DigestingSink sink = new DigestingSink(ch, ledger, 1)) {
            ByteBuffer buf = sink.buffer();
            for (int at = 800_000; at < blob.length; ) {
                int n = Math.min(buf.capacity(), blob.length - at);
                buf = sink.write(0, at, buf.put(blob, at, n).flip());
                at += n;
            }
            sink.release(buf);
            assertThat(sink.finish(blob.length)).isEqualTo(sha256(blob));
        }
    }

    @Test
    void aRestartFromByteZeroForgetsWhatWasHashed() throws Exception {
        byte[] first = random(500_000, 3);
        byte[] blob = random(700_000, 4);
        ChunkLedger ledger = new ChunkLedger(blob.length, Long.MAX_VALUE, new long[1]);
        try (FileChannel ch = open(); DigestingSink sink = new DigestingSink(ch, ledger, 2)) {
            writeAll(sink, ledger, first);
            ledger.reset(0);
            sink.reset();
            writeAll(sink, ledger, blob);
            assertThat(sink.finish(blob.length)).isEqualTo(sha256(blob));
        }
    }

    private static void writeChunk(DigestingSink sink, ChunkLedger ledger, int c, byte[] blob, int piece)
            throws Exception {
        ByteBuffer buf = sink.buffer();
        for (long at = ledger.start(c); at < ledger.end(c); ) {
            int n = (int) Math.min(Math.min(piece, buf.capacity()), ledger.end(c) - at);
            buf = sink.write(c, at, buf.put(blob, (int) at, n).flip());
            at += n;
        }
        sink.release(buf);
    }

    private static void writeAll(DigestingSink sink, ChunkLedger ledger, byte[] data) throws Exception {
        ByteBuffer buf = sink.buffer();
        for (int at = 0; at < data.length; ) {
            int n = Math.min(100_000, data.length - at);
            buf = sink.write(0, at, buf.put(data, at, n).flip());
            at += n;
        }
        sink.release(buf);
    }

    private FileChannel open() throws Exception {
        return FileChannel.open(dir.resolve("partial"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Digest sha256(byte[] bytes) {
        return Digest.ofBytes(Hashing.sha256().digest(bytes));
    }
}
