package io.aixcl.engine.http;

import java.nio.ByteBuffer;

/** A response read line by line (server-sent events, NDJSON), whatever the chunk boundaries. */
abstract class LineDecoder implements ResponseDecoder, LineSplitter.LineHandler {

    private static final int MAX_LINE = 4 * 1024 * 1024;

    private final LineSplitter lines;
    /** The sink of the read being decoded (a response is decoded by one read at a time). */
    private GenerationSink sink;

    LineDecoder(String what) {
        lines = new LineSplitter(MAX_LINE, what);
    }

    /** One line without its terminator, its bytes valid until {@link #chunkEnded}. */
    abstract void line(byte[] bytes, int offset, int length, GenerationSink sink);

    /** Every whole line of the read was handed over; their bytes will now be reused. */
    void chunkEnded() {
    }

    /** The body ended after its last line. */
    void ended(GenerationSink sink) {
    }

    @Override
    public final void line(byte[] bytes, int offset, int length) {
        line(bytes, offset, length, sink);
    }

    @Override
    public final void readEnded() {
        chunkEnded();
    }

    @Override
    public final void decode(ByteBuffer chunk, GenerationSink sink) {
        this.sink = sink;
        lines.feed(chunk, this);
    }

    @Override
    public final void end(GenerationSink sink) {
        this.sink = sink;
        lines.finish(this);
        ended(sink);
    }
}
