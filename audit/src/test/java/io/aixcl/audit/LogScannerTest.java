package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel scanner cuts each segment into aligned pieces (blocks of 1024 leaves, smaller ones where a segment
 * starts unaligned or a checkpoint size falls): whatever the segment boundaries and sizes asked for, the roots it
 * reports must be those of the reference tree built leaf by leaf.
 */
class LogScannerTest {

    @TempDir
    Path dir;

    @Test
    void rootsAtEveryAskedSizeMatchTheReferenceTreeAcrossUnalignedSegments() throws Exception {
        Random random = new Random(11);
        int entries = 5_000;
        List<Hash> roots = new ArrayList<>(); // roots.get(n): reference root of the first n entries
        MerkleTree reference = new MerkleTree();
        roots.add(reference.root());
        CRC32C crc = new CRC32C();
        byte[] previous = RecordFormat.NO_PREVIOUS;
        long index = 0;
        while (index < entries) {
            // Segments of 1 to 1500 records: starts land on and off every alignment, some span whole blocks.
            int count = (int) Math.min(entries - index, 1 + random.nextInt(1500));
            ByteBuffer segment = ByteBuffer.allocate(count * 512);
            long first = index;
            for (int i = 0; i < count; i++, index++) {
                byte[] entry = CanonicalEntry.encode(Events.event(index));
                Hash leaf = TreeHashing.leaf(entry);
                RecordFormat.write(segment, index, previous, leaf.raw(), entry, crc);
                previous = leaf.raw();
                reference.append(leaf);
                roots.add(reference.root());
            }
            Files.write(dir.resolve(Segments.fileName(first)), java.util.Arrays.copyOf(segment.array(), segment.position()));
        }
        NavigableSet<Long> asked = new TreeSet<>(List.of(0L, 1L, 1023L, 1024L, 1025L, 2048L, (long) entries));
        for (int i = 0; i < 40; i++) {
            asked.add((long) random.nextInt(entries + 1));
        }

        LogScan scan = LogScanner.scan(dir, asked);

        assertThat(scan.problem()).isEmpty();
        assertThat(scan.size()).isEqualTo(entries);
        assertThat(scan.tree().root()).isEqualTo(roots.get(entries));
        assertThat(scan.rootsAt().keySet()).containsExactlyInAnyOrderElementsOf(asked);
        asked.forEach(n -> assertThat(scan.rootsAt().get(n)).as("root at %d", n).isEqualTo(roots.get(n.intValue())));
    }
}
