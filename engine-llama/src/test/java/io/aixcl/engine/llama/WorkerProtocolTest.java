package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.engine.llama.protocol.Frame;
import io.aixcl.engine.llama.protocol.WorkerProtocol;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerProtocolTest {

    @Test
    void everyFrameSurvivesTheRoundTrip() throws IOException {
        List<Frame> frames = List.of(
                new Frame.Load(1, "tiny", "/models/tiny.gguf", 512, 2, 4),
                new Frame.Unload(2, "tiny"),
                new Frame.Generate(3, "tiny", "", List.of(new Frame.Message("user", "héllo ✓")), 0.7, 0.9, 64,
                        List.of("\n\n", "END"), true, -42),
                new Frame.Generate(4, "tiny", "once upon", List.of(), 0, 1, 1, List.of(), false, 0),
                new Frame.Cancel(5),
                new Frame.Shutdown(),
                new Frame.Hello(1234),
                new Frame.Loaded(6),
                new Frame.Unloaded(7),
                new Frame.Token(8, " tok"),
                new Frame.Done(9, "LENGTH", 12, 64),
                new Frame.Failed(10, Frame.FailureKind.LOAD, "bad file"));

        for (Frame frame : frames) {
            byte[] wire = WorkerProtocol.encode(frame);
            assertThat(WorkerProtocol.checkLength(readInt(wire))).isEqualTo(wire.length - 4);
            assertThat(WorkerProtocol.decode(Arrays.copyOfRange(wire, 4, wire.length))).isEqualTo(frame);
        }
    }

    @Test
    void malformedFramesAreRefused() {
        assertThatThrownBy(() -> WorkerProtocol.checkLength(-1)).hasMessageContaining("bad frame length");
        assertThatThrownBy(() -> WorkerProtocol.checkLength(WorkerProtocol.MAX_FRAME_BYTES + 1))
                .hasMessageContaining("bad frame length");
        assertThatThrownBy(() -> WorkerProtocol.decode(new byte[] {99})).hasMessageContaining("unknown frame tag");

        byte[] token = WorkerProtocol.encode(new Frame.Token(1, "abc"));
        byte[] truncated = Arrays.copyOfRange(token, 4, token.length - 1);
        assertThatThrownBy(() -> WorkerProtocol.decode(truncated)).isInstanceOf(IOException.class);
        byte[] padded = Arrays.copyOfRange(token, 4, token.length + 1);
        assertThatThrownBy(() -> WorkerProtocol.decode(padded)).hasMessageContaining("trailing bytes");
    }

    private static int readInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }
}
