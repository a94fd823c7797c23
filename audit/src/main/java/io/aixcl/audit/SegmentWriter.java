package io.aixcl.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends batches of records to the current segment and starts a new segment once it has grown past the limit. */
final class SegmentWriter implements AutoCloseable {

    private final Path dir;
    private final long rollBytes;
    private FileChannel channel;
    private long size;

    private SegmentWriter(Path dir, long rollBytes, FileChannel channel, long size) {
        this.dir = dir;
        this.rollBytes = rollBytes;
        this.channel = channel;
        this.size = size;
    }

    /** Continues {@code segment} at {@code validBytes} (anything after it has been trimmed), or starts the log. */
    static SegmentWriter open(Path dir, long rollBytes, java.util.Optional<Path> segment, long validBytes)
            throws IOException {
        if (segment.isEmpty()) {
            return new SegmentWriter(dir, rollBytes, create(dir, 0), 0);
        }
        FileChannel ch = FileChannel.open(segment.get(), StandardOpenOption.WRITE);
        if (ch.size() != validBytes) {
            ch.close();
            throw new IOException(segment.get() + " has " + ch.size() + " bytes, expected " + validBytes);
        }
        return new SegmentWriter(dir, rollBytes, ch, validBytes);
    }

    private static FileChannel create(Path dir, long firstIndex) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(Segments.fileName(firstIndex)),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        // The new name must be durable before any record in it is acknowledged.
        DurableFiles.fsyncDirectory(dir);
        return ch;
    }

    /** Writes a batch whose first record is {@code firstIndex}; not durable until {@link #force()}. */
    void write(ByteBuffer frames, long firstIndex) throws IOException {
        if (size >= rollBytes) {
            channel.force(false);
            channel.close();
            channel = create(dir, firstIndex);
            size = 0;
        }
        while (frames.hasRemaining()) {
            size += channel.write(frames, size);
        }
    }

    /** fdatasync: the records and the file length, which is all a reader needs. */
    void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
