package io.aixcl.models;

import io.aixcl.core.models.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes downloaded bytes into the partial file at their offsets and keeps a sha256 over the contiguous prefix.
 * Bytes that arrive at the prefix's end are hashed straight from the network buffer (the single-connection case
 * never re-reads the file); bytes that other connections wrote ahead are read back once the gap before them
 * fills. So the digest is known moments after the last byte lands, and a resumed download re-hashes what is
 * already on disk on its first write.
 */
final class DigestingSink {
    private final FileChannel channel;
    private final ChunkLedger ledger;
    private final MessageDigest sha256 = Hashing.sha256();
    private final ReentrantLock hashLock = new ReentrantLock();
    private final ByteBuffer readBack = ByteBuffer.allocateDirect(1 << 20);
    private long hashed; // guarded by hashLock

    DigestingSink(FileChannel channel, ChunkLedger ledger) {
        this.channel = channel;
        this.ledger = ledger;
    }

    /** Writes all of {@code data} at {@code offset}, as part of {@code chunk}. */
    void write(int chunk, long offset, ByteBuffer data) throws IOException {
        ByteBuffer forHash = data.duplicate();
        long at = offset;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
        ledger.add(chunk, at - offset);
        // Whoever holds the lock hashes for everyone; a writer that finds it busy moves on (finish() catches up).
        if (hashLock.tryLock()) {
            try {
                if (hashed == offset) {
                    sha256.update(forHash);
                    hashed += at - offset;
                }
                catchUp();
            } finally {
                hashLock.unlock();
            }
        }
    }

    /** Forgets everything hashed: the download restarts from byte 0. */
    void reset() {
        hashLock.lock();
        try {
            sha256.reset();
            hashed = 0;
        } finally {
            hashLock.unlock();
        }
    }

    /** Hashes whatever is left of the {@code size} bytes and returns the digest; the file is cut to {@code size}. */
    Digest finish(long size) throws IOException {
        hashLock.lock();
        try {
            catchUp();
            if (hashed != size) {
                throw new IllegalStateException("hashed " + hashed + " of " + size + " bytes");
            }
            channel.truncate(size);
            return Digest.ofBytes(sha256.digest());
        } finally {
            hashLock.unlock();
        }
    }

    private void catchUp() throws IOException {
        long end = ledger.contiguousEnd();
        while (hashed < end) {
            readBack.clear().limit((int) Math.min(readBack.capacity(), end - hashed));
            int n = channel.read(readBack, hashed);
            if (n <= 0) {
                throw new IOException("partial file is shorter than its progress record (" + hashed + " < " + end + ")");
            }
            readBack.flip();
            sha256.update(readBack);
            hashed += n;
        }
    }
}
