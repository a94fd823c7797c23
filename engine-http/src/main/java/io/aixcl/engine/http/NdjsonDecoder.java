package io.aixcl.engine.http;

/** Newline-delimited JSON: one object a line, blank lines ignored; a last line without its newline still counts. */
final class NdjsonDecoder extends LineDecoder {

    @FunctionalInterface
    interface ObjectHandler {
        void object(byte[] bytes, int offset, int length, GenerationSink sink);
    }

    private final ObjectHandler handler;

    NdjsonDecoder(ObjectHandler handler) {
        super("NDJSON");
        this.handler = handler;
    }

    @Override
    void line(byte[] bytes, int offset, int length, GenerationSink sink) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                handler.object(bytes, offset, length, sink);
                return;
            }
        }
    }
}
