package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.InferenceException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line and event framing, byte for byte, without a network in between. */
class DecodersTest {

    private static void feed(ResponseDecoder decoder, RecordingSink sink, String... chunks) {
        for (String chunk : chunks) {
            decoder.decode(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)), sink);
        }
        decoder.end(sink);
    }

    @Test
    void sseJoinsDataLinesIgnoresCommentsAndDispatchesAnEventLeftOpenAtTheEnd() {
        var events = new ArrayList<String>();
        var decoder = new SseDecoder((event, data, offset, length, sink) ->
                events.add(event + ":" + new String(data, offset, length, StandardCharsets.UTF_8)));

        feed(decoder, new RecordingSink(), ": ping\n\ndata: a\ndata:b\n\nevent: error\ndata: {\"x\":1}\n\nid: 7\nretry: 10\n\n",
                "data: last");

        assertThat(events).containsExactly("null:a\nb", "error:{\"x\":1}", "null:last");
    }

    @Test
    void aMultiByteCharacterSplitAcrossReadsArrivesWhole() {
        String stream = "data: " + Transcripts.chatChunk("héllo ✓") + "\n\n";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        var decoder = new SseDecoder((event, data, offset, length, sink) -> OpenAiApi.read(data, offset, length, sink, "event"));
        var sink = new RecordingSink();

        for (byte b : bytes) {
            decoder.decode(ByteBuffer.wrap(new byte[] {b}), sink);
        }
        decoder.end(sink);

        assertThat(sink.seen).containsExactly("token héllo ✓");
    }

    @Test
    void anEventWhoseEndComesInALaterReadKeepsItsBytesWhileTheReadBuffersAreReused() {
        var events = new ArrayList<String>();
        var decoder = new SseDecoder((event, data, offset, length, sink) ->
                events.add(new String(data, offset, length, StandardCharsets.UTF_8)));
        var sink = new RecordingSink();

        // Direct buffers are read through one reused array: the second and third reads overwrite the first's bytes.
        for (String chunk : List.of("data: first\n", "xxxxxxxxxxxxx", "yy\n\ndata: a\n", "data: b\n\nda", "ta: c\n\n")) {
            ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length());
            direct.put(chunk.getBytes(StandardCharsets.US_ASCII)).flip();
            decoder.decode(direct, sink);
        }
        decoder.end(sink);

        assertThat(events).containsExactly("first", "a\nb", "c"); // the x and y line is a field of no meaning
    }

    @Test
    void everyEventOfAStreamIsReadByOneParserAndABadOneStillFailsPrecisely() {
        String good = Transcripts.sse(Transcripts.CHAT_ROLE, Transcripts.chatChunk("a"), Transcripts.chatChunk("b"));
        var sink = new RecordingSink();
        ResponseDecoder decoder = new OpenAiApi(false).decoder(null, "text/event-stream");
        feed(decoder, sink, good);
        assertThat(sink.seen).containsExactly("token ", "token a", "token b");

        for (String bad : List.of("{\"choices\":[{\"delta\":{\"content\":\"c\"}", "{\"choices\":[]} {}", "7", " ")) {
            ResponseDecoder fresh = new OpenAiApi(false).decoder(null, "text/event-stream");
            assertThatThrownBy(() -> feed(fresh, new RecordingSink(), good + "data: " + bad + "\n\n"))
                    .as(bad)
                    .isInstanceOf(InferenceException.EngineUnavailable.class)
                    .hasMessageStartingWith("the upstream sent malformed server-sent event (");
        }
    }

    @Test
    void aDirectBufferIsReadToo() {
        var decoder = new NdjsonDecoder(OllamaApi::read);
        var sink = new RecordingSink();
        byte[] line = Transcripts.ollamaGenerate("hi").getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(line.length).put(line).flip();

        decoder.decode(direct, sink);
        decoder.end(sink);

        assertThat(sink.seen).containsExactly("token hi");
        assertThat(direct.hasRemaining()).isFalse();
    }

    @Test
    void aLineWithoutEndBeyondTheLimitFailsInsteadOfGrowingForever() {
        var splitter = new LineSplitter(16, "test");
        ByteBuffer chunk = ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.US_ASCII));

        splitter.feed(chunk, (bytes, offset, length) -> { });

        assertThatThrownBy(() -> splitter.feed(ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.US_ASCII)),
                (bytes, offset, length) -> { }))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessage("the upstream sent a test line longer than 16 bytes");
    }

    @Test
    void openAiFinishReasonsMapToThePorts() {
        assertThat(OpenAiApi.finishReason("length")).isEqualTo(FinishReason.LENGTH);
        assertThat(OpenAiApi.finishReason("stop")).isEqualTo(FinishReason.STOP);
        assertThat(OpenAiApi.finishReason("tool_calls")).isEqualTo(FinishReason.STOP);
    }

    @Test
    void aChunkWithTrailingGarbageIsMalformed() {
        var sink = new RecordingSink();
        byte[] bytes = (Transcripts.chatChunk("a") + "}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> OpenAiApi.read(bytes, 0, bytes.length, sink, "server-sent event"))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageStartingWith("the upstream sent malformed server-sent event");
    }

    @Test
    void ollamaParameterSizesAndNamesAreReadAsOllamaWritesThem() {
        assertThat(OllamaEngine.parameterCount("8.0B")).isEqualTo(8_000_000_000L);
        assertThat(OllamaEngine.parameterCount("494.03M")).isEqualTo(494_030_000L);
        assertThat(OllamaEngine.parameterCount("unknown")).isZero();
        assertThat(OllamaEngine.canonical("llama3.2")).isEqualTo("llama3.2:latest");
        assertThat(OllamaEngine.canonical("registry.local:5000/team/model")).isEqualTo("registry.local:5000/team/model:latest");
        assertThat(OllamaEngine.canonical("qwen2.5:0.5b")).isEqualTo("qwen2.5:0.5b");
    }
}
