package io.aixcl.api;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the daemon's event streams (NDJSON of {@link Dtos.Event}) and its error bodies ({@link ApiError}) for the
 * CLI: the values {@link Json#MAPPER} gives, unknown fields skipped as it does, without Jackson.
 *
 * <p>Why by hand: a {@code stack start} CLI does nothing but print these events while the daemon, podman and runc
 * want the same two cores. Building Jackson's mapper and record deserializers was ~220 ms of its CPU; even
 * jackson-core's bare parser costs ~90 ms, because its base class's static {@code BigDecimal} constants run JDK 25's
 * {@code BigDecimal} initializer (which computes 5^65536) in a JVM that interprets. This reader covers exactly
 * JSON (RFC 8259) values; {@code EventJsonTest} checks it against the mapper on random events and corrupted streams.
 */
public final class EventJson {
    private EventJson() {}

    /** The bytes are not JSON, or not the shape expected: the daemon (or whatever answered) sent something else. */
    public static final class MalformedJsonException extends IOException {
        MalformedJsonException(String message) {
            super(message);
        }
    }

    /** A reader of a stream of events: JSON objects one after another, whitespace (newlines) between them. */
    public static Reader reader(InputStream in) {
        return new Reader(in);
    }

    /** The next event of the stream, or null at its end. */
    public static Dtos.Event next(Reader r) throws IOException {
        Object v = r.nextRoot();
        if (v == Reader.END) {
            return null;
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw r.error("expected an event object, got " + describe(v));
        }
        Fields f = new Fields(r, map, "event");
        return new Dtos.Event(f.text("type"), f.text("service"), f.text("step"), f.text("detail"), f.text("image"),
                f.text("layer"), f.integer("current"), f.integer("total"), f.decimal("seconds"), f.strings("lines"),
                f.logLine("log"), f.error("error"), f.object("result"));
    }

    /** An error body as the daemon sends it with a 4xx/5xx status. */
    public static ApiError readError(InputStream in) throws IOException {
        try (Reader r = reader(in)) {
            Object v = r.nextRoot();
            if (!(v instanceof Map<?, ?> map)) {
                throw r.error("expected an error object, got " + describe(v));
            }
            return apiError(new Fields(r, map, "error"));
        }
    }

    private static ApiError apiError(Fields f) throws IOException {
        String code = f.text("code");
        ErrorCode known = null;
        if (code != null) {
            try {
                known = ErrorCode.valueOf(code);
            } catch (IllegalArgumentException e) {
                throw f.reader.error("unknown error code '" + code + "'");
            }
        }
        return new ApiError(known, f.text("message"), f.strings("details"));
    }

    private static String describe(Object v) {
        return switch (v) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "a number";
            default -> v == Reader.END ? "the end of the input" : v.getClass().getSimpleName();
        };
    }

    /** Typed access to the fields of one parsed object, with the mapper's leniencies (scalars read as text). */
    private record Fields(Reader reader, Map<?, ?> map, String what) {
        String text(String name) throws IOException {
            Object v = map.get(name);
            if (v == null || v instanceof String) {
                return (String) v;
            }
            if (v instanceof Number || v instanceof Boolean) {
                return String.valueOf(v);
            }
            throw wrong(name, "a string", v);
        }

        long integer(String name) throws IOException {
            Object v = map.get(name);
            if (v == null) {
                return 0;
            }
            if (v instanceof Integer || v instanceof Long) {
                return ((Number) v).longValue();
            }
            throw wrong(name, "an integer within 64 bits", v);
        }

        Double decimal(String name) throws IOException {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw wrong(name, "a number", v);
        }

        List<String> strings(String name) throws IOException {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> list)) {
                throw wrong(name, "an array of strings", v);
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (item != null && !(item instanceof String)) {
                    throw wrong(name, "an array of strings", item);
                }
                out.add((String) item);
            }
            return out;
        }

        Dtos.LogLine logLine(String name) throws IOException {
            Fields f = nested(name);
            return f == null ? null : new Dtos.LogLine(f.text("service"), f.text("stream"), f.text("time"),
                    f.text("text"));
        }

        ApiError error(String name) throws IOException {
            Fields f = nested(name);
            return f == null ? null : apiError(f);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> object(String name) throws IOException {
            Fields f = nested(name);
            return f == null ? null : (Map<String, Object>) f.map;
        }

        private Fields nested(String name) throws IOException {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw wrong(name, "an object", v);
            }
            return new Fields(reader, m, what + "." + name);
        }

        private MalformedJsonException wrong(String name, String expected, Object got) {
            return reader.error(what + "." + name + ": expected " + expected + ", got " + describe(got));
        }
    }

    /**
     * A pull reader of JSON values (RFC 8259) from a byte stream: objects as LinkedHashMap, arrays as ArrayList,
     * integers as Integer, Long or BigInteger by size, other numbers as Double, as databind's untyped reading gives
     * them. It reads no byte past the end of a root object, so a stream's events come as they arrive.
     */
    public static final class Reader implements Closeable {
        static final Object END = new Object();
        private static final int MAX_DEPTH = 64;

        private final InputStream in;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int limit;
        /** Bytes consumed before {@code buf[0]}: error positions. */
        private long before;

        private Reader(InputStream in) {
            this.in = in;
        }

        /** The next root value, or {@link #END} when only whitespace is left. */
        Object nextRoot() throws IOException {
            int c = skipSpace();
            return c < 0 ? END : value(c, 0);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        MalformedJsonException error(String message) {
            return new MalformedJsonException("malformed JSON from aixcld at byte " + (before + pos) + ": " + message);
        }

        private Object value(int c, int depth) throws IOException {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("rue", Boolean.TRUE);
                case 'f' -> literal("alse", Boolean.FALSE);
                case 'n' -> literal("ull", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number(c);
                    }
                    throw error(c < 0 ? "unexpected end of input" : "unexpected character " + show(c));
                }
            };
        }

        private Map<String, Object> object(int depth) throws IOException {
            Map<String, Object> map = new LinkedHashMap<>();
            int c = skipSpace();
            if (c == '}') {
                return map;
            }
            while (true) {
                if (c != '"') {
                    throw error("expected a field name, got " + show(c));
                }
                String name = string();
                c = skipSpace();
                if (c != ':') {
                    throw error("expected ':' after field name, got " + show(c));
                }
                map.put(name, value(skipSpace(), depth + 1));
                c = skipSpace();
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error("expected ',' or '}' in an object, got " + show(c));
                }
                c = skipSpace();
            }
        }

        private List<Object> array(int depth) throws IOException {
            List<Object> list = new ArrayList<>();
            int c = skipSpace();
            if (c == ']') {
                return list;
            }
            while (true) {
                list.add(value(c, depth + 1));
                c = skipSpace();
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw error("expected ',' or ']' in an array, got " + show(c));
                }
                c = skipSpace();
            }
        }

        private String string() throws IOException {
            ByteArrayOutputStream bytes = null; // only for strings with escapes or that cross a buffer boundary
            int start = pos;
            while (true) {
                if (pos == limit) {
                    bytes = spill(bytes, start, pos);
                    if (!fill()) {
                        throw error("unexpected end of input in a string");
                    }
                    start = pos;
                }
                int c = buf[pos++] & 0xff;
                if (c == '"') {
                    if (bytes == null) {
                        return new String(buf, start, pos - 1 - start, StandardCharsets.UTF_8);
                    }
                    bytes.write(buf, start, pos - 1 - start);
                    return bytes.toString(StandardCharsets.UTF_8);
                }
                if (c < 0x20) {
                    throw error("unescaped control character " + show(c) + " in a string");
                }
                if (c == '\\') {
                    bytes = spill(bytes, start, pos - 1);
                    escape(bytes);
                    start = pos;
                }
            }
        }

        private ByteArrayOutputStream spill(ByteArrayOutputStream bytes, int from, int to) {
            ByteArrayOutputStream b = bytes == null ? new ByteArrayOutputStream() : bytes;
            b.write(buf, from, to - from);
            return b;
        }

        private void escape(ByteArrayOutputStream out) throws IOException {
            int c = read();
            switch (c) {
                case '"', '\\', '/' -> out.write(c);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'u' -> {
                    char ch = (char) hex4();
                    if (Character.isHighSurrogate(ch) && peek() == '\\') {
                        read();
                        if (read() != 'u') {
                            throw error("expected a \\u escape after a high surrogate");
                        }
                        char low = (char) hex4();
                        out.writeBytes(new String(new char[] {ch, low}).getBytes(StandardCharsets.UTF_8));
                    } else {
                        out.writeBytes(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
                    }
                }
                default -> throw error("invalid escape \\" + (c < 0 ? "at the end of input" : show(c)));
            }
        }

        private int hex4() throws IOException {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int c = read();
                int d = Character.digit(c < 0 ? -1 : (char) c, 16);
                if (d < 0) {
                    throw error("invalid \\u escape: " + show(c));
                }
                v = v * 16 + d;
            }
            return v;
        }

        private Object number(int first) throws IOException {
            StringBuilder text = new StringBuilder(24).append((char) first);
            boolean integral = true;
            while (true) {
                int c = peek();
                if (c >= '0' && c <= '9' || c == '-' || c == '+') {
                    text.append((char) c);
                } else if (c == '.' || c == 'e' || c == 'E') {
                    text.append((char) c);
                    integral = false;
                } else {
                    break;
                }
                pos++;
            }
            String s = text.toString();
            if (!wellFormed(s)) {
                throw error("invalid number '" + s + "'");
            }
            if (!integral) {
                return Double.parseDouble(s);
            }
            if (s.length() <= 18) {
                long v = Long.parseLong(s);
                return v == (int) v ? (Object) (int) v : (Object) v;
            }
            BigInteger big = new BigInteger(s);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }

        /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?}, without loading java.util.regex. */
        private static boolean wellFormed(String s) {
            int i = s.startsWith("-") ? 1 : 0;
            int digits = digits(s, i);
            if (digits == 0 || (digits > 1 && s.charAt(i) == '0')) {
                return false;
            }
            i += digits;
            if (i < s.length() && s.charAt(i) == '.') {
                digits = digits(s, ++i);
                if (digits == 0) {
                    return false;
                }
                i += digits;
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                digits = digits(s, i);
                if (digits == 0) {
                    return false;
                }
                i += digits;
            }
            return i == s.length();
        }

        private static int digits(String s, int from) {
            int i = from;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            return i - from;
        }

        private Object literal(String rest, Object value) throws IOException {
            for (int i = 0; i < rest.length(); i++) {
                int c = read();
                if (c != rest.charAt(i)) {
                    throw error("invalid literal: unexpected " + show(c));
                }
            }
            return value;
        }

        private int skipSpace() throws IOException {
            while (true) {
                int c = read();
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return c;
                }
            }
        }

        private int read() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        private int peek() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buf[pos] & 0xff;
        }

        /** Refills an exhausted buffer with what the stream has; false at its end. */
        private boolean fill() throws IOException {
            before += limit;
            pos = 0;
            limit = 0;
            int n;
            do {
                n = in.read(buf, 0, buf.length);
            } while (n == 0);
            if (n < 0) {
                return false;
            }
            limit = n;
            return true;
        }

        private static String show(int c) {
            if (c < 0) {
                return "the end of the input";
            }
            return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
        }
    }
}
