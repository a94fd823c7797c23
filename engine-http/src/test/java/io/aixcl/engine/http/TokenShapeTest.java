package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Token events read by their shape mean exactly what the parser reads in them, whatever bytes they hold. */
class TokenShapeTest {

    private static final String CHUNK = "{\"id\":\"c-1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":";
    /** Events around a token's string: {before, after}. */
    private static final String[][] SHAPES = {
        {CHUNK, "},\"logprobs\":null,\"finish_reason\":null}]}"},
        {"{\"id\":\"c-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":", "},\"finish_reason\":null}]}"},
        {"{\"choices\":[{\"text\":", ",\"finish_reason\":null}]}"},
        {CHUNK, "},\"finish_reason\":\"stop\"}]}"},
        {CHUNK, "}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"},
        {"{\"choices\":[{\"delta\":{\"content\":\"x\"}},{\"delta\":{\"content\":", "}}]}"},
        {"{\"x\":{\"content\":", "}}"},
        {CHUNK, "},\"finish_reason\":null}],\"extra\":\"a\\\"b\"}"},
        {CHUNK, "}}]"},
    };
    private static final String[] PIECES = {"a", " the", "\"", "\\", "\n", "\u0001", "é", "日本", "\ud83d\ude00", "/", "\u007f",
        "\ufffd", "\",\"x\":\"", "\"},\"finish_reason\":\"length\"}]}", ""};

    @Test
    void aStreamReadByShapeYieldsWhatTheParserYieldsEventByEvent() throws Exception {
        Random random = new Random(11);
        int byShape = 0;
        for (int stream = 0; stream < 1000; stream++) {
            String[] shape = SHAPES[random.nextInt(SHAPES.length)];
            List<byte[]> events = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(30); i < n; i++) {
                boolean odd = random.nextInt(8) == 0; // now and then another shape
                String[] around = odd ? SHAPES[random.nextInt(SHAPES.length)] : shape;
                events.add(concat(around[0].getBytes(StandardCharsets.UTF_8), literal(random),
                        around[1].getBytes(StandardCharsets.UTF_8)));
            }

            List<String> reference = new ArrayList<>();
            var expected = new RecordingSink();
            for (byte[] event : events) {
                try {
                    OpenAiApi.read(event, 0, event.length, expected, "event");
                } catch (RuntimeException e) {
                    expected.seen.add("failed");
                    break;
                }
            }
            reference.addAll(expected.seen);

            var reader = new OpenAiApi.StreamReader();
            var decoder = new SseDecoder(reader);
            var actual = new RecordingSink();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] event : events) {
                body.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
                body.writeBytes(event);
                body.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
            }
            byte[] all = body.toByteArray();
            try {
                // Cut into reads at random points: events whose end comes in the next read are read from a copy.
                for (int at = 0; at < all.length; ) {
                    int n = Math.min(all.length - at, 1 + random.nextInt(600));
                    decoder.decode(ByteBuffer.wrap(all, at, n), actual);
                    at += n;
                }
                decoder.end(actual);
            } catch (RuntimeException e) {
                actual.seen.add("failed");
            }
            assertThat(actual.seen).as("stream %d: %s", stream, java.util.HexFormat.of().formatHex(events.get(0))).isEqualTo(reference);
            byShape += reader.byShape;
        }
        assertThat(byShape).as("events read by their shape").isGreaterThan(1500);
    }

    /** A token's string as an upstream might send it: escaped as JSON, or its raw bytes, valid UTF-8 or not. */
    private static byte[] literal(Random random) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(4); n > 0; n--) {
            text.append(random.nextInt(3) == 0 ? PIECES[random.nextInt(PIECES.length)] : String.valueOf((char) ('a' + random.nextInt(26))));
        }
        return switch (random.nextInt(25)) {
            case 0 -> concat(new byte[] {'"'}, oneLine(text.toString().getBytes(StandardCharsets.UTF_8)), new byte[] {'"'});
            case 1 -> {
                byte[] raw = new byte[1 + random.nextInt(4)];
                random.nextBytes(raw);
                yield concat(new byte[] {'"'}, oneLine(raw), new byte[] {'"'});
            }
            default -> {
                var out = new ByteArrayOutputStream();
                try (var json = Json.FACTORY.createGenerator(out)) {
                    json.writeString(text.toString());
                }
                yield out.toByteArray();
            }
        };
    }

    /** An event's data is one line here: a line break would end it (and the parser would see another event). */
    private static byte[] oneLine(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\n' || raw[i] == '\r') {
                raw[i] = 0x01;
            }
        }
        return raw;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
