package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void withADirectChannelBytesWhereTheHashGoesOnAreWrittenByTheWriterAndCountedOnceWritten() throws Exception {
        byte[] blob = random(5 * 300_000 + 12_345, 6);
        ChunkLedger ledger = ChunkLedger.fresh(blob.length, 300_000);
        try (FileChannel ch = open(); FileChannel direct = openDirect();
             DigestingSink sink = new DigestingSink(ch, ledger, 4, 0, direct)) {
            assertThat(sink.writesDirect(0)).isTrue();
            assertThat(sink.writesDirect(ledger.start(1))).as("ahead of the hash").isFalse();
            // Aligned pieces, odd ones (the writer writes their aligned part directly, the rest cached) and pieces
            // at unaligned offsets, from three writers: most bytes land ahead of the hash at first.
            ExecutorService writers = Executors.newFixedThreadPool(3);
            List<Future<?>> done = new ArrayList<>();
            int[] pieces = {DigestingSink.ALIGN * 16, 70_001, 4_095};
            for (int w = 0; w < 3; w++) {
                int first = w;
                done.add(writers.submit(() -> {
                    for (int c = first; c < ledger.chunks(); c += 3) {
                        writeChunk(sink, ledger, c, blob, pieces[first]);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            sink.flush();
            assertThat(ledger.totalWritten()).as("counted once written").isEqualTo(blob.length);
            assertThat(sink.finish(blob.length)).isEqualTo(sha256(blob));
            assertThat(sink.writesDirectly()).isTrue();
        }
        assertThat(Files.readAllBytes(dir.resolve("partial"))).isEqualTo(blob);
    }

    @Test
    void directWritesThatFailGoThroughThePageCacheInstead() throws Exception {
        byte[] blob = random(3 * DigestingSink.BUFFER_BYTES + 5, 7);
        ChunkLedger ledger = new ChunkLedger(blob.length, Long.MAX_VALUE, new long[1]);
        FileChannel refusing = openDirect();
        refusing.close(); // every write on it fails, as on a filesystem that opens with O_DIRECT but refuses the writes
        try (FileChannel ch = open(); DigestingSink sink = new DigestingSink(ch, ledger, 2, 0, refusing)) {
            writeAll(sink, ledger, blob);
            assertThat(sink.finish(blob.length)).isEqualTo(sha256(blob));
            assertThat(sink.writesDirectly()).isFalse();
        }
        assertThat(Files.readAllBytes(dir.resolve("partial"))).isEqualTo(blob);
    }

    @Test
    void aWriteThatFailsIsNeitherCountedNorHashedAndFailsWhatComesAfter() throws Exception {
        byte[] blob = random(200_000, 8);
        ChunkLedger ledger = new ChunkLedger(blob.length, Long.MAX_VALUE, new long[1]);
        Files.write(dir.resolve("partial"), new byte[0]);
        FileChannel refusing = openDirect();
        refusing.close();
        try (FileChannel readOnly = FileChannel.open(dir.resolve("partial"), StandardOpenOption.READ);
             DigestingSink sink = new DigestingSink(readOnly, ledger, 2, 0, refusing)) {
            ByteBuffer buf = sink.buffer();
            buf = sink.write(0, 0, buf.put(blob, 0, 100_000).flip());
            ByteBuffer last = buf;
            assertThatThrownBy(sink::flush).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> sink.write(0, 100_000, last.put(blob, 100_000, 100_000).flip()))
                    .isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> sink.finish(blob.length)).isInstanceOf(java.io.IOException.class);
            assertThat(ledger.totalWritten()).isZero();
        }
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

    @Test
    void writersAheadOfTheHashWaitPastTheLimitButTheOneWhereTheHashGoesOnNever() throws Exception {
        byte[] blob = random(4 * 200_000, 5);
        ChunkLedger ledger = ChunkLedger.fresh(blob.length, 200_000);
        try (FileChannel ch = open(); DigestingSink sink = new DigestingSink(ch, ledger, 4, 250_000)) {
            writeChunk(sink, ledger, 2, blob, 100_000);
            assertThat(sink.mustWait(ledger.start(3))).as("200,000 bytes ahead: within the limit").isFalse();
            writeChunk(sink, ledger, 1, blob, 100_000);
            assertThat(sink.mustWait(ledger.start(3))).as("400,000 bytes ahead: past it").isTrue();
            assertThat(sink.mustWait(0)).as("where the hash goes on").isFalse();
            writeChunk(sink, ledger, 0, blob, 100_000); // fills the gap: chunks 1 and 2 are read back
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sink.mustWait(ledger.start(3)) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(sink.mustWait(ledger.start(3))).as("once the hash caught up").isFalse();
            writeChunk(sink, ledger, 3, blob, 100_000);
            assertThat(sink.finish(blob.length)).isEqualTo(sha256(blob));
        }
        ChunkLedger resumed = new ChunkLedger(blob.length, 200_000, new long[] {0, 200_000, 200_000, 0});
        try (FileChannel ch = open(); DigestingSink sink = new DigestingSink(ch, resumed, 4, 250_000)) {
            assertThat(sink.mustWait(ledger.start(3))).as("a resume is not held back").isFalse();
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
        sink.flush(); // as a connection does before it ends
    }

    private static void writeAll(DigestingSink sink, ChunkLedger ledger, byte[] data) throws Exception {
        ByteBuffer buf = sink.buffer();
        for (int at = 0; at < data.length; ) {
            int n = Math.min(100_000, data.length - at);
            buf = sink.write(0, at, buf.put(data, at, n).flip());
            at += n;
        }
        sink.release(buf);
        sink.flush();
    }

    private FileChannel open() throws Exception {
        return FileChannel.open(dir.resolve("partial"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    /** The partial file with O_DIRECT, as RangedDownload opens it (the temporary folder is on a disk filesystem). */
    private FileChannel openDirect() throws Exception {
        Path file = dir.resolve("partial");
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        return FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
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
