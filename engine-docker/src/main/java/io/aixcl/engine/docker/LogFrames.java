package io.aixcl.engine.docker;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.aixcl.core.engine.LogLine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.Consumer;

/**
 * Turns the engine's demultiplexed log frames into lines. A frame is one write of the container, not one line,
 * so bytes are collected per stream until a newline; each line starts with the engine's timestamp.
 */
final class LogFrames {
    private final Consumer<LogLine> sink;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    LogFrames(Consumer<LogLine> sink) {
        this.sink = sink;
    }

    synchronized void accept(Frame frame) {
        boolean err = frame.getStreamType() == StreamType.STDERR;
        ByteArrayOutputStream buffer = err ? stderr : stdout;
        for (byte b : frame.getPayload()) {
            if (b == '\n') {
                emit(err, buffer);
            } else {
                buffer.write(b);
            }
        }
    }

    /** Emits what is left when the stream ends without a final newline. */
    synchronized void flush() {
        if (stdout.size() > 0) {
            emit(false, stdout);
        }
        if (stderr.size() > 0) {
            emit(true, stderr);
        }
    }

    private void emit(boolean err, ByteArrayOutputStream buffer) {
        String text = buffer.toString(StandardCharsets.UTF_8);
        buffer.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        sink.accept(line(err ? LogLine.Stream.STDERR : LogLine.Stream.STDOUT, text));
    }

    static LogLine line(LogLine.Stream stream, String text) {
        int space = text.indexOf(' ');
        if (space > 0) {
            try {
                Instant time = OffsetDateTime.parse(text.substring(0, space)).toInstant();
                return new LogLine(stream, time, text.substring(space + 1));
            } catch (DateTimeParseException e) {
                // No timestamp: keep the whole line.
            }
        }
        return new LogLine(stream, Instant.now(), text);
    }
}
