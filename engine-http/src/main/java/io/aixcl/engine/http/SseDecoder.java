package io.aixcl.engine.http;

import io.aixcl.core.inference.InferenceException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Server-sent events (WHATWG HTML, "event stream interpretation") cut into events as bytes arrive: {@code data:}
 * lines of one event are joined with '\n', a blank line dispatches it, {@code :} comments (keep-alives) and
 * other fields are ignored. An event left open when the stream ends is dispatched too, since some servers close
 * without the final blank line.
 *
 * <p>An event of one {@code data:} line whose blank line comes in the same read (every event of a streamed
 * completion, nearly always) is handed over where it lies; only an event of several lines, or one cut by a read, is
 * copied.
 */
final class SseDecoder extends LineDecoder {

    interface EventHandler {
        /**
         * One event's data, valid during the call only; {@code event} is its {@code event:} field, or null for the
         * default "message".
         */
        void event(String event, byte[] data, int offset, int length, GenerationSink sink);

        /** The stream ended (after its last event). */
        default void ended() {
        }
    }

    private static final int MAX_EVENT = 4 * 1024 * 1024;
    private static final byte[] NEWLINE = {'\n'};

    private final EventHandler handler;
    /** The event's only data line so far, where the current read holds it; null once copied or dispatched. */
    private byte[] inPlace;
    private int inPlaceOffset;
    private int inPlaceLength;
    /** The event's data when copied: joined lines, or a line that outlived its read. */
    private byte[] data;
    private int dataLength;
    private boolean hasData;
    private String event;

    SseDecoder(EventHandler handler) {
        super("server-sent event");
        this.handler = handler;
    }

    @Override
    void ended(GenerationSink sink) {
        dispatch(sink);
        handler.ended();
    }

    @Override
    void chunkEnded() {
        copyInPlace(); // the read's bytes are about to be reused
    }

    @Override
    void line(byte[] bytes, int offset, int length, GenerationSink sink) {
        if (length == 0) {
            dispatch(sink);
            return;
        }
        if (bytes[offset] == ':') {
            return;
        }
        int colon = indexOf(bytes, offset, length, (byte) ':');
        int nameLength = colon < 0 ? length : colon - offset;
        int valueStart = colon < 0 ? offset + length : colon + 1;
        if (valueStart < offset + length && bytes[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = offset + length - valueStart;
        if (is(bytes, offset, nameLength, "data")) {
            if (!hasData) {
                hasData = true;
                inPlace = bytes;
                inPlaceOffset = valueStart;
                inPlaceLength = valueLength;
                return;
            }
            copyInPlace();
            append(NEWLINE, 0, 1);
            append(bytes, valueStart, valueLength);
        } else if (is(bytes, offset, nameLength, "event")) {
            event = new String(bytes, valueStart, valueLength, StandardCharsets.UTF_8);
        }
    }

    private void dispatch(GenerationSink sink) {
        if (hasData) {
            String name = event;
            byte[] bytes = inPlace;
            hasData = false;
            event = null;
            if (bytes != null) {
                inPlace = null;
                handler.event(name, bytes, inPlaceOffset, inPlaceLength, sink);
            } else {
                int length = dataLength;
                dataLength = 0;
                handler.event(name, data, 0, length, sink);
            }
        }
        event = null;
    }

    private void copyInPlace() {
        if (inPlace != null) {
            byte[] bytes = inPlace;
            inPlace = null;
            append(bytes, inPlaceOffset, inPlaceLength);
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        if (data == null) {
            data = new byte[Math.max(256, length)];
        }
        if (dataLength + length > data.length) {
            if (dataLength + length > MAX_EVENT) {
                throw new InferenceException.EngineUnavailable(
                        "the upstream sent a server-sent event larger than " + MAX_EVENT + " bytes", null);
            }
            data = Arrays.copyOf(data, Math.max(dataLength + length, data.length * 2));
        }
        System.arraycopy(bytes, offset, data, dataLength, length);
        dataLength += length;
    }

    private static int indexOf(byte[] bytes, int offset, int length, byte b) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean is(byte[] bytes, int offset, int length, String ascii) {
        if (length != ascii.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[offset + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
