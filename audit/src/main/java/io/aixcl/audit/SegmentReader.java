package io.aixcl.audit;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Streams the records of one segment file through a fixed buffer, checking each frame's length and CRC. It reports
 * a bad frame and stops there: past a bad length nothing in the file can be located reliably.
 */
final class SegmentReader implements AutoCloseable {

    enum Step { RECORD, END, BAD_FRAME }

    // Fields read straight from the array: ByteBuffer's accessors cost a bounds and session check each, per record.
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer buffer;
    private final byte[] array;
    private final MappedByteBuffer mapping; // null: read through the channel
    private final CRC32C crc = new CRC32C();
    private long bufferFileOffset; // file offset of array[0]
    private int position;          // next unread byte in array
    private int limit;             // end of the bytes read into array
    private int recordStart = -1;
    private int bodyLength;
    private String problem;

    SegmentReader(Path file, int bufferSize) throws IOException {
        this(file, bufferSize, false);
    }

    /**
     * @param mapped copy the file into the buffer from a mapping of it rather than read it: one copy instead of two
     *               (a read into a heap array goes through a temporary direct buffer). For a one-shot verifier: the
     *               mapping lasts until the garbage collector frees it, and its pages count in the process's RSS.
     */
    SegmentReader(Path file, int bufferSize, boolean mapped) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            this.fileSize = channel.size();
            // Room for the largest record, but never more than the file: small segments are read with small buffers.
            int capacity = Math.max(bufferSize, RecordFormat.frameSize(RecordFormat.MAX_ENTRY));
            this.buffer = ByteBuffer.allocate((int) Math.max(RecordFormat.HEADER, Math.min(capacity, fileSize)));
            this.array = buffer.array();
            this.mapping = mapped && fileSize > 0 && fileSize <= Integer.MAX_VALUE
                    ? channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize) : null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    long fileSize() {
        return fileSize;
    }

    Step next() throws IOException {
        // No branch on whether a record came before (one taken once per segment): the JIT compiled the scan loop
        // without it and threw that code away at the next segment's first record.
        recordStart = -1;
        long offset = bufferFileOffset + position;
        if (offset == fileSize) {
            return Step.END;
        }
        if (limit - position < RecordFormat.HEADER && !fill(RecordFormat.HEADER)) {
            return bad("torn record: " + (fileSize - offset) + " bytes where a record header needs 8");
        }
        int length = (int) INT.get(array, position);
        if (!RecordFormat.plausibleBodyLength(length)) {
            return bad("damaged record: impossible length " + Integer.toUnsignedString(length));
        }
        if (limit - position < RecordFormat.HEADER + length && !fill(RecordFormat.HEADER + length)) {
            return bad("torn record: it claims " + length + " bytes but the file ends after "
                    + (fileSize - offset - RecordFormat.HEADER));
        }
        int start = position;
        crc.reset();
        crc.update(array, start + RecordFormat.HEADER, length);
        if ((int) crc.getValue() != (int) INT.get(array, start + 4)) {
            return bad("damaged record: checksum mismatch");
        }
        recordStart = start;
        bodyLength = length;
        position = start + RecordFormat.HEADER + length;
        return Step.RECORD;
    }

    private Step bad(String why) {
        problem = why;
        return Step.BAD_FRAME;
    }

    String problem() {
        return problem;
    }

    /** File offset of the current record, or after END/BAD_FRAME, of where reading stopped. */
    long offset() {
        return bufferFileOffset + (recordStart >= 0 ? recordStart : position);
    }

    /** Makes at least {@code n} bytes available from the position; false if the file ends first. */
    private boolean fill(int n) throws IOException {
        if (bufferFileOffset + position + n > fileSize) {
            return false;
        }
        int kept = limit - position;
        System.arraycopy(array, position, array, 0, kept);
        bufferFileOffset += position;
        position = 0;
        if (mapping != null) {
            int more = (int) Math.min(array.length - kept, fileSize - bufferFileOffset - kept);
            try {
                mapping.get((int) bufferFileOffset + kept, array, kept, more);
            } catch (InternalError e) {
                // The JVM's answer to a fault on a mapped page: the file was cut shorter than it was when opened.
                throw new EOFException("segment shrank while being read");
            }
            limit = kept + more;
            return true;
        }
        buffer.clear().position(kept);
        // Read as much as fits: fewer, larger reads.
        while (buffer.position() < n) {
            if (channel.read(buffer, bufferFileOffset + buffer.position()) < 0) {
                throw new EOFException("segment shrank while being read");
            }
        }
        limit = buffer.position();
        return true;
    }

    byte[] array() {
        return array;
    }

    long index() {
        return (long) LONG.get(array, recordStart + RecordFormat.HEADER);
    }

    int previousLeafOffset() {
        return recordStart + RecordFormat.HEADER + 8;
    }

    int leafOffset() {
        return previousLeafOffset() + Hash.SIZE;
    }

    int entryOffset() {
        return leafOffset() + Hash.SIZE;
    }

    int entryLength() {
        return bodyLength - RecordFormat.BODY_FIXED;
    }

    int frameLength() {
        return RecordFormat.HEADER + bodyLength;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
