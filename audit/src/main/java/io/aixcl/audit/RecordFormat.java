package io.aixcl.audit;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One record of a segment file, big-endian:
 * <pre>
 *   u32  body length         (72 + entry length)
 *   u32  CRC-32C of the body
 *   body:
 *     u64      index          position in the log, 0-based
 *     [32]     previous leaf  leaf hash of entry index-1 (zeros for entry 0): the hash chain
 *     [32]     leaf hash      SHA-256(0x00 || entry), the RFC 6962 leaf
 *     [n]      entry          the canonical entry (see CanonicalEntry)
 * </pre>
 * The length and CRC let a reader tell a torn or damaged record from a good one without trusting anything else.
 */
final class RecordFormat {

    static final int HEADER = 8;
    static final int BODY_FIXED = 8 + Hash.SIZE + Hash.SIZE;
    /** Entries are facts and metadata; anything near this size is a bug upstream, not an audit fact. */
    static final int MAX_ENTRY = 1 << 20;
    static final byte[] NO_PREVIOUS = new byte[Hash.SIZE];

    private RecordFormat() {}

    static int frameSize(int entryLength) {
        return HEADER + BODY_FIXED + entryLength;
    }

    static boolean plausibleBodyLength(int bodyLength) {
        return bodyLength >= BODY_FIXED && bodyLength <= BODY_FIXED + MAX_ENTRY;
    }

    /** Writes one record at {@code out}'s position; {@code out} must be a heap buffer with room for it. */
    static void write(ByteBuffer out, long index, byte[] previousLeaf, byte[] leaf, byte[] entry, CRC32C crc) {
        int start = out.position();
        out.putInt(BODY_FIXED + entry.length);
        out.putInt(0); // CRC, filled in below once the body is in place
        int body = out.position();
        out.putLong(index).put(previousLeaf).put(leaf).put(entry);
        crc.reset();
        crc.update(out.array(), out.arrayOffset() + body, out.position() - body);
        out.putInt(start + 4, (int) crc.getValue());
    }
}
