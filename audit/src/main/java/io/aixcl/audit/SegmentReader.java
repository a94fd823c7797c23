package io.aixcl.audit;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
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

    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer buffer;
    private final CRC32C crc = new CRC32C();
    private long bufferFileOffset; // file offset of buffer position 0
    private int recordStart = -1;
    private int bodyLength;
    private String problem;

    SegmentReader(Path file, int bufferSize) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.fileSize = channel.size();
        // Room for the largest record, but never more than the file: small segments are read with small buffers.
        int capacity = Math.max(bufferSize, RecordFormat.frameSize(RecordFormat.MAX_ENTRY));
        this.buffer = ByteBuffer.allocate((int) Math.max(RecordFormat.HEADER, Math.min(capacity, fileSize)));
        buffer.flip();
    }

    long fileSize() {
        return fileSize;
    }

    Step next() throws IOException {
        if (recordStart >= 0) {
            buffer.position(recordStart + RecordFormat.HEADER + bodyLength);
        }
        recordStart = -1;
        long offset = offset();
        if (offset == fileSize) {
            return Step.END;
        }
        if (!fill(RecordFormat.HEADER)) {
            return bad("torn record: " + (fileSize - offset) + " bytes where a record header needs 8");
        }
        int start = buffer.position();
        int length = buffer.getInt(start);
        if (!RecordFormat.plausibleBodyLength(length)) {
            return bad("damaged record: impossible length " + Integer.toUnsignedString(length));
        }
        if (!fill(RecordFormat.HEADER + length)) {
            return bad("torn record: it claims " + length + " bytes but the file ends after "
                    + (fileSize - offset - RecordFormat.HEADER));
        }
        start = buffer.position();
        crc.reset();
        crc.update(buffer.array(), start + RecordFormat.HEADER, length);
        if ((int) crc.getValue() != buffer.getInt(start + 4)) {
            return bad("damaged record: checksum mismatch");
        }
        recordStart = start;
        bodyLength = length;
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
        return bufferFileOffset + (recordStart >= 0 ? recordStart : buffer.position());
    }

    /** Makes at least {@code n} bytes available from the position; false if the file ends first. */
    private boolean fill(int n) throws IOException {
        if (buffer.remaining() >= n) {
            return true;
        }
        if (offset() + n > fileSize) {
            return false;
        }
        bufferFileOffset += buffer.position();
        buffer.compact();
        while (buffer.position() < n) {
            if (channel.read(buffer, bufferFileOffset + buffer.position()) < 0) {
                throw new EOFException("segment shrank while being read");
            }
        }
        buffer.flip();
        return true;
    }

    byte[] array() {
        return buffer.array();
    }

    long index() {
        return buffer.getLong(recordStart + RecordFormat.HEADER);
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
