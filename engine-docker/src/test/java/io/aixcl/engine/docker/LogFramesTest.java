package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.aixcl.core.engine.LogLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFramesTest {

    private static Frame frame(StreamType type, String text) {
        return new Frame(type, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesSplitAcrossFramesAreJoinedAndStreamsKeptApart() {
        List<LogLine> lines = new ArrayList<>();
        var frames = new LogFrames(lines::add);
        frames.accept(frame(StreamType.STDOUT, "2026-01-02T03:04:05.123456789Z hel"));
        frames.accept(frame(StreamType.STDERR, "2026-01-02T03:04:06Z oops\n"));
        frames.accept(frame(StreamType.STDOUT, "lo\n2026-01-02T03:04:07+00:00 world"));
        frames.flush();

        assertThat(lines).containsExactly(
                new LogLine(LogLine.Stream.STDERR, Instant.parse("2026-01-02T03:04:06Z"), "oops"),
                new LogLine(LogLine.Stream.STDOUT, Instant.parse("2026-01-02T03:04:05.123456789Z"), "hello"),
                new LogLine(LogLine.Stream.STDOUT, Instant.parse("2026-01-02T03:04:07Z"), "world"));
    }

    @Test
    void aLineWithoutTimestampIsKeptWhole() {
        assertThat(LogFrames.line(LogLine.Stream.STDOUT, "no timestamp here").text()).isEqualTo("no timestamp here");
    }
}
