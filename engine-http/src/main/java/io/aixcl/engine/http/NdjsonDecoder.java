package io.aixcl.engine.http;

import java.nio.ByteBuffer;

/** Newline-delimited JSON: one object a line, blank lines ignored; a last line without its newline still counts. */
final class NdjsonDecoder implements ResponseDecoder {

    @FunctionalInterface
    interface ObjectHandler {
        void object(byte[] bytes, int offset, int length, GenerationSink sink);
    }

    private static final int MAX_LINE = 4 * 1024 * 1024;

    private final LineSplitter lines = new LineSplitter(MAX_LINE, "NDJSON");
    private final ObjectHandler handler;

    NdjsonDecoder(ObjectHandler handler) {
        this.handler = handler;
    }

    @Override
    public void decode(ByteBuffer chunk, GenerationSink sink) {
        lines.feed(chunk, (bytes, offset, length) -> line(bytes, offset, length, sink));
    }

    @Override
    public void end(GenerationSink sink) {
        lines.finish((bytes, offset, length) -> line(bytes, offset, length, sink));
    }

    private void line(byte[] bytes, int offset, int length, GenerationSink sink) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                handler.object(bytes, offset, length, sink);
                return;
            }
        }
    }
}
