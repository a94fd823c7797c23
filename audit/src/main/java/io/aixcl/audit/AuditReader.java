package io.aixcl.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/** Reads entries and leaf hashes from the segment files, with or without a running store. */
public final class AuditReader {

    private AuditReader() {}

    /**
     * Up to {@code max} entries from {@code from}, stopping before {@code limit} (the store passes its committed size,
     * so a batch being written is never read half-way). Reads from the start of the segment holding {@code from}.
     */
    public static List<AuditRecord> read(Path dataDir, long from, int max, long limit) throws IOException {
        List<AuditRecord> out = new ArrayList<>();
        NavigableMap<Long, Path> segments = Segments.list(dataDir);
        Long start = segments.floorKey(from);
        if (start == null || max <= 0) {
            return out;
        }
        for (Map.Entry<Long, Path> s : segments.tailMap(start, true).entrySet()) {
            long index = s.getKey();
            try (SegmentReader r = new SegmentReader(s.getValue(), 1 << 20)) {
                while (index < limit && out.size() < max && r.next() == SegmentReader.Step.RECORD) {
                    if (index >= from) {
                        byte[] b = r.array();
                        out.add(new AuditRecord(r.index(), hashAt(b, r.leafOffset()), hashAt(b, r.previousLeafOffset()),
                                new String(b, r.entryOffset(), r.entryLength(), StandardCharsets.UTF_8)));
                    }
                    index++;
                }
            }
            if (index >= limit || out.size() >= max) {
                break;
            }
        }
        return out;
    }

    /** The leaf hashes of the first {@code size} entries, held in memory (32 bytes each) to build proofs. */
    public static LeafHashes leafHashes(Path dataDir, long size) throws IOException {
        byte[] all = new byte[Math.multiplyExact(Math.toIntExact(size), Hash.SIZE)];
        long index = 0;
        for (Path segment : Segments.list(dataDir).values()) {
            try (SegmentReader r = new SegmentReader(segment, 4 << 20)) {
                while (index < size && r.next() == SegmentReader.Step.RECORD) {
                    System.arraycopy(r.array(), r.leafOffset(), all, (int) index * Hash.SIZE, Hash.SIZE);
                    index++;
                }
            }
        }
        if (index < size) {
            throw new IOException("the log has " + index + " readable entries, not " + size);
        }
        return i -> {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException(i);
            }
            int at = (int) i * Hash.SIZE;
            return Hash.wrap(Arrays.copyOfRange(all, at, at + Hash.SIZE));
        };
    }

    private static Hash hashAt(byte[] b, int offset) {
        return Hash.wrap(Arrays.copyOfRange(b, offset, offset + Hash.SIZE));
    }
}
