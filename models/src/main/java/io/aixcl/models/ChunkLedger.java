package io.aixcl.models;

/**
 * Which bytes of a partial download are on disk: the blob is cut into fixed-size chunks, each filled from its
 * start, so a chunk's progress is one number. The contiguous prefix is what the digest can have consumed.
 * A blob of unknown size is one chunk that ends when the body does.
 */
final class ChunkLedger {
    static final long UNKNOWN = -1;

    private long size;
    private final long chunkBytes;
    private final long[] written;

    ChunkLedger(long size, long chunkBytes, long[] written) {
        this.size = size;
        this.chunkBytes = chunkBytes;
        this.written = written.clone();
    }

    static ChunkLedger fresh(long size, long chunkBytes) {
        if (size == UNKNOWN || size <= chunkBytes) {
            return new ChunkLedger(size, Long.MAX_VALUE, new long[1]); // one chunk: the whole blob
        }
        int chunks = (int) ((size + chunkBytes - 1) / chunkBytes);
        return new ChunkLedger(size, chunkBytes, new long[chunks]);
    }

    synchronized long size() {
        return size;
    }

    long chunkBytes() {
        return chunkBytes;
    }

    int chunks() {
        return written.length;
    }

    long start(int chunk) {
        return chunk * chunkBytes;
    }

    /** Exclusive end, or Long.MAX_VALUE while the size is unknown. */
    synchronized long end(int chunk) {
        if (size == UNKNOWN) {
            return Long.MAX_VALUE;
        }
        return Math.min(size, start(chunk) + chunkBytes);
    }

    synchronized long written(int chunk) {
        return written[chunk];
    }

    synchronized void add(int chunk, long n) {
        written[chunk] += n;
    }

    synchronized void reset(int chunk) {
        written[chunk] = 0;
    }

    synchronized boolean chunkDone(int chunk) {
        return size != UNKNOWN && written[chunk] >= end(chunk) - start(chunk);
    }

    /** The size became known (a response said it); only a single-chunk ledger can learn it. */
    synchronized void resolveSize(long newSize) {
        if (size == UNKNOWN && written.length == 1) {
            size = newSize;
        }
    }

    synchronized boolean complete() {
        if (size == UNKNOWN) {
            return false;
        }
        for (int i = 0; i < written.length; i++) {
            if (!chunkDone(i)) {
                return false;
            }
        }
        return true;
    }

    synchronized long contiguousEnd() {
        long end = 0;
        for (int i = 0; i < written.length; i++) {
            end = start(i) + written[i];
            if (!chunkDone(i)) {
                break;
            }
        }
        return end;
    }

    synchronized long totalWritten() {
        long sum = 0;
        for (long w : written) {
            sum += w;
        }
        return sum;
    }

    synchronized long[] snapshot() {
        return written.clone();
    }
}
