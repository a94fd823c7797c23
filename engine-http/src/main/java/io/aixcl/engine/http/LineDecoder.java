package io.aixcl.engine.http;

import java.nio.ByteBuffer;

/** A response read line by line (server-sent events, NDJSON), whatever the chunk boundaries. */
abstract class LineDecoder implements ResponseDecoder {

    private static final int MAX_LINE = 4 * 1024 * 1024;

    private final LineSplitter lines;

    LineDecoder(String what) {
        lines = new LineSplitter(MAX_LINE, what);
    }

    /** One line without its terminator. */
    abstract void line(byte[] bytes, int offset, int length, GenerationSink sink);

    /** The body ended after its last line. */
    void ended(GenerationSink sink) {
    }

    @Override
    public final void decode(ByteBuffer chunk, GenerationSink sink) {
        lines.feed(chunk, (bytes, offset, length) -> line(bytes, offset, length, sink));
    }

    @Override
    public final void end(GenerationSink sink) {
        lines.finish((bytes, offset, length) -> line(bytes, offset, length, sink));
        ended(sink);
    }
}
