package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The reader gives the same records whether it reads the file or copies it from a mapping, and fails alike. */
class SegmentReaderTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "mapped={0}")
    @ValueSource(booleans = {false, true})
    void readsEveryRecordAndItsLeafAcrossBufferRefills(boolean mapped) throws Exception {
        int records = 3_000; // ~1.3 MB: more than one buffer of the reader's minimum size
        Path file = writeSegment(records);
        List<Long> indices = new ArrayList<>();
        byte[] lastLeaf = null;
        try (SegmentReader reader = new SegmentReader(file, 64 << 10, mapped)) {
            SegmentReader.Step step;
            while ((step = reader.next()) == SegmentReader.Step.RECORD) {
                indices.add(reader.index());
                lastLeaf = Arrays.copyOfRange(reader.array(), reader.leafOffset(), reader.leafOffset() + Hash.SIZE);
            }
            assertThat(step).isEqualTo(SegmentReader.Step.END);
            assertThat(reader.offset()).isEqualTo(Files.size(file));
        }
        assertThat(indices).hasSize(records).first().isEqualTo(0L);
        assertThat(indices.get(records - 1)).isEqualTo(records - 1L);
        assertThat(lastLeaf).isEqualTo(TreeHashing.leaf(entry(records - 1)).raw());
    }

    @ParameterizedTest(name = "mapped={0}")
    @ValueSource(booleans = {false, true})
    void aSegmentCutShortWhileOpenIsAnErrorNotARecord(boolean mapped) throws Exception {
        Path file = writeSegment(500);
        try (SegmentReader reader = new SegmentReader(file, 64 << 10, mapped)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(100); // a mapped page past the new end now faults
            }
            assertThatThrownBy(reader::next).isInstanceOf(EOFException.class)
                    .hasMessage("segment shrank while being read");
        }
    }

    private Path writeSegment(int records) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(records * 600);
        CRC32C crc = new CRC32C();
        byte[] previous = RecordFormat.NO_PREVIOUS;
        for (int i = 0; i < records; i++) {
            byte[] leaf = TreeHashing.leaf(entry(i)).raw();
            RecordFormat.write(out, i, previous, leaf, entry(i), crc);
            previous = leaf;
        }
        Path file = dir.resolve(Segments.fileName(0));
        Files.write(file, Arrays.copyOf(out.array(), out.position()));
        return file;
    }

    private static byte[] entry(long index) {
        return CanonicalEntry.encode(Events.event(index));
    }
}
