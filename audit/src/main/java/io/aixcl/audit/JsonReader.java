package io.aixcl.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the JSON subset that {@link CanonicalEntry} writes: objects, strings and non-negative integers. */
final class JsonReader {

    private final String s;
    private int pos;

    private JsonReader(String s) {
        this.s = s;
    }

    static Map<String, Object> readObject(String json) {
        JsonReader r = new JsonReader(json);
        Map<String, Object> o = r.object();
        if (r.pos != json.length()) {
            throw r.error("trailing characters");
        }
        return o;
    }

    private Map<String, Object> object() {
        expect('{');
        Map<String, Object> o = new LinkedHashMap<>();
        if (peek() == '}') {
            pos++;
            return o;
        }
        while (true) {
            String key = string();
            expect(':');
            if (o.put(key, value()) != null) {
                throw error("duplicate key " + key);
            }
            char c = next();
            if (c == '}') {
                return o;
            }
            if (c != ',') {
                throw error("expected , or }");
            }
        }
    }

    private Object value() {
        char c = peek();
        if (c == '{') {
            return object();
        }
        if (c == '"') {
            return string();
        }
        if (c >= '0' && c <= '9') {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            return Long.parseLong(s.substring(start, pos));
        }
        throw error("unexpected " + c);
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected " + c);
        }
    }

    private char peek() {
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed audit entry at character " + pos + ": " + what);
    }
}
