package io.aixcl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void readsWhatTheMapperWritesAsTheMapperReadsIt() throws IOException {
        Random random = new Random(42);
        List<Dtos.Event> sent = new ArrayList<>();
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            Dtos.Event e = randomEvent(random);
            sent.add(e);
            stream.append(Json.MAPPER.writeValueAsString(e)).append('\n');
        }
        List<Dtos.Event> read = readAll(stream.toString());
        assertThat(read).hasSize(sent.size());
        String[] lines = stream.toString().split("\n");
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i)).isEqualTo(Json.MAPPER.readValue(lines[i], Dtos.Event.class));
        }
    }

    @Test
    void skipsUnknownFieldsAndKeepsNumberTypes() throws IOException {
        List<Dtos.Event> read = readAll("""
                {"type":"result","future":{"a":[1,{"b":null}],"c":"d"},"current":5,"result":{"n":3,"big":12345678901,\
                "f":1.5,"ok":true,"none":null,"list":["x",2]}}

                {"type":"heartbeat"}
                """);
        assertThat(read).hasSize(2);
        Dtos.Event result = read.get(0);
        assertThat(result.type()).isEqualTo("result");
        assertThat(result.current()).isEqualTo(5);
        assertThat(result.result()).containsExactly(Map.entry("n", 3), Map.entry("big", 12345678901L),
                Map.entry("f", 1.5), Map.entry("ok", true), new java.util.AbstractMap.SimpleEntry<>("none", null),
                Map.entry("list", List.of("x", 2)));
        assertThat(read.get(1)).isEqualTo(Dtos.Event.of("heartbeat"));
    }

    @Test
    void readsAnErrorBody() throws IOException {
        ApiError error = new ApiError(ErrorCode.CONFLICT, "port 80 is held", List.of("by nginx", "pid 12"));
        assertThat(EventJson.readError(new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(error))))
                .isEqualTo(error);
        assertThatThrownBy(() -> EventJson.readError(new ByteArrayInputStream(
                "{\"code\":\"NO_SUCH\",\"message\":\"m\"}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(EventJson.MalformedJsonException.class).hasMessageContaining("unknown error code 'NO_SUCH'");
    }

    @Test
    void malformedStreamsFailWithAPreciseParseError() {
        assertThatThrownBy(() -> readAll("{\"type\":\"step\",\"service\":"))
                .isInstanceOf(EventJson.MalformedJsonException.class).hasMessageContaining("unexpected end of input");
        assertThatThrownBy(() -> readAll("[1,2]"))
                .isInstanceOf(EventJson.MalformedJsonException.class).hasMessageContaining("expected an event object, got an array");
        assertThatThrownBy(() -> readAll("{\"type\":\"step\",\"current\":\"many\"}"))
                .isInstanceOf(EventJson.MalformedJsonException.class)
                .hasMessageContaining("event.current: expected an integer within 64 bits, got a string");
        assertThatThrownBy(() -> readAll("{\"type\":{\"nested\":1}}"))
                .isInstanceOf(EventJson.MalformedJsonException.class)
                .hasMessageContaining("event.type: expected a string, got an object");
    }

    /** Any corruption of a valid stream gives events or a MalformedJsonException: never another exception. */
    @Test
    void corruptedStreamsOnlyEverFailAsIOException() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 3000; round++) {
            byte[] bytes = (Json.MAPPER.writeValueAsString(randomEvent(random)) + "\n"
                    + Json.MAPPER.writeValueAsString(randomEvent(random))).getBytes(StandardCharsets.UTF_8);
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits; i++) {
                int at = random.nextInt(bytes.length);
                switch (random.nextInt(3)) {
                    case 0 -> bytes[at] = (byte) random.nextInt(256);
                    case 1 -> bytes = java.util.Arrays.copyOf(bytes, at);
                    default -> bytes[at] = (byte) "{}[]\",:0n".charAt(random.nextInt(9));
                }
                if (bytes.length == 0) {
                    break;
                }
            }
            try (EventJson.Reader p = EventJson.reader(new ByteArrayInputStream(bytes))) {
                while (EventJson.next(p) != null) {
                    // read to the end or the first error
                }
            } catch (EventJson.MalformedJsonException expected) {
                // the precise error the CLI reports
            }
        }
    }

    @Test
    void readsStreamsThatArriveOneByteAtATime() throws IOException {
        Random random = new Random(3);
        StringBuilder stream = new StringBuilder();
        List<Dtos.Event> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Dtos.Event e = randomEvent(random);
            sent.add(Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(e), Dtos.Event.class));
            stream.append(Json.MAPPER.writeValueAsString(e)).append("\r\n");
        }
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
        java.io.InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        List<Dtos.Event> read = new ArrayList<>();
        try (EventJson.Reader r = EventJson.reader(trickle)) {
            for (Dtos.Event e = EventJson.next(r); e != null; e = EventJson.next(r)) {
                read.add(e);
            }
        }
        assertThat(read).isEqualTo(sent);
    }

    /** An event is handed over when its last byte arrives, not when the next one does: progress is live. */
    @Test
    void anEventIsReadWithoutWaitingForTheNext() throws Exception {
        java.io.PipedOutputStream daemon = new java.io.PipedOutputStream();
        java.io.PipedInputStream cli = new java.io.PipedInputStream(daemon);
        daemon.write("{\"type\":\"step\",\"service\":\"db\",\"current\":7}\n".getBytes(StandardCharsets.UTF_8));
        daemon.flush();
        try (EventJson.Reader r = EventJson.reader(cli)) {
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return EventJson.next(r);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(first.get(5, java.util.concurrent.TimeUnit.SECONDS).current()).isEqualTo(7);
            daemon.close();
            assertThat(EventJson.next(r)).isNull();
        }
    }

    @Test
    void decodesEscapesAsTheMapperDoes() throws IOException {
        String line = "{\"type\":\"log\",\"detail\":\"tab\\t quote\\\" slash\\/ e\\u00e9 smile\\ud83d\\ude00 raw é😀\"}";
        assertThat(readAll(line).get(0)).isEqualTo(Json.MAPPER.readValue(line, Dtos.Event.class));
        assertThat(readAll(line).get(0).detail()).isEqualTo("tab\t quote\" slash/ eé smile😀 raw é😀");
    }

    @Test
    void rejectsWhatIsNotJson() {
        for (String bad : List.of("{\"current\":01}", "{\"current\":1.}", "{\"current\":-}", "{\"a\":tru}",
                "{\"a\":\"x\\q\"}", "{\"a\":\"\u0001\"}", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "[".repeat(100),
                "{\"current\":99999999999999999999}")) {
            assertThatThrownBy(() -> readAll(bad)).as(bad).isInstanceOf(EventJson.MalformedJsonException.class)
                    .hasMessageStartingWith("malformed JSON from aixcld at byte ");
        }
        assertThatThrownBy(() -> readAll("{\"result\":" + "[".repeat(100)))
                .hasMessageContaining("nested deeper than 64 levels");
    }

    private static List<Dtos.Event> readAll(String text) throws IOException {
        List<Dtos.Event> events = new ArrayList<>();
        try (EventJson.Reader p = EventJson.reader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            for (Dtos.Event e = EventJson.next(p); e != null; e = EventJson.next(p)) {
                events.add(e);
            }
        }
        return events;
    }

    private static Dtos.Event randomEvent(Random r) {
        String[] types = {"plan", "pull", "pulled", "step", "healthy", "unhealthy", "orphan", "log", "heartbeat",
                "result", "error"};
        return new Dtos.Event(types[r.nextInt(types.length)], maybe(r, text(r)), maybe(r, text(r)),
                maybe(r, text(r)), maybe(r, text(r)), maybe(r, text(r)), r.nextBoolean() ? 0 : r.nextLong(),
                r.nextInt(1 << 20), r.nextBoolean() ? null : r.nextDouble() * 100,
                r.nextBoolean() ? null : List.of(text(r), text(r)),
                r.nextBoolean() ? null : new Dtos.LogLine(text(r), "stdout", "2026-11-22T10:00:00Z", text(r)),
                r.nextBoolean() ? null : new ApiError(ErrorCode.values()[r.nextInt(ErrorCode.values().length)],
                        text(r), r.nextBoolean() ? List.of() : List.of(text(r))),
                r.nextBoolean() ? null : randomMap(r, 2));
    }

    private static Map<String, Object> randomMap(Random r, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            map.put(text(r) + i, randomValue(r, depth));
        }
        return map;
    }

    private static Object randomValue(Random r, int depth) {
        return switch (r.nextInt(depth > 0 ? 8 : 6)) {
            case 0 -> text(r);
            case 1 -> r.nextInt();
            case 2 -> r.nextLong();
            case 3 -> r.nextDouble();
            case 4 -> r.nextBoolean();
            case 5 -> null;
            case 6 -> randomMap(r, depth - 1);
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    list.add(randomValue(r, depth - 1));
                }
                yield list;
            }
        };
    }

    private static String text(Random r) {
        String[] alphabet = {"a", "b", " ", "z", "\"", "\\", "\n", "\t", "é", "€", "😀", "{", "}", "[", "]", ",", ":"};
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            b.append(alphabet[r.nextInt(alphabet.length)]);
        }
        return b.toString();
    }

    private static <T> T maybe(Random r, T value) {
        return r.nextBoolean() ? null : value;
    }
}
