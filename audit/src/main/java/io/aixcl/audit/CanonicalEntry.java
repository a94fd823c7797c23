package io.aixcl.audit;

import io.aixcl.core.audit.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one byte form of an {@link AuditEvent} that is hashed into the log: compact JSON, keys sorted by UTF-16 code
 * units, strings escaped as RFC 8785 (JCS) does, UTF-8, no whitespace. Written and read by hand so that no library
 * upgrade can change a byte and so break every hash after it. See docs/AUDIT.md for the schema.
 */
public final class CanonicalEntry {

    /** Bumped if the schema ever changes; readers refuse versions they do not know. */
    public static final int VERSION = 1;

    private CanonicalEntry() {}

    public static byte[] encode(AuditEvent e) {
        Utf8Builder b = new Utf8Builder(320);
        // Keys in sorted order: action, actor, detail, outcome, parameters, target, time, v.
        b.ascii("{\"action\":");
        string(b, e.action());
        b.ascii(",\"actor\":{\"id\":");
        string(b, e.actor().id());
        b.ascii(",\"kind\":");
        string(b, e.actor().kind().name().toLowerCase(Locale.ROOT));
        b.ascii("},\"detail\":");
        string(b, e.detail());
        b.ascii(",\"outcome\":");
        string(b, e.outcome().name().toLowerCase(Locale.ROOT));
        b.ascii(",\"parameters\":{");
        boolean first = true;
        // AuditEvent keeps its parameters in a TreeMap: String's natural order is UTF-16 code unit order, JCS's.
        for (Map.Entry<String, String> p : e.parameters().entrySet()) {
            if (!first) {
                b.ascii(",");
            }
            first = false;
            string(b, p.getKey());
            b.ascii(":");
            string(b, p.getValue());
        }
        b.ascii("},\"target\":");
        string(b, e.target());
        b.ascii(",\"time\":\"");
        IsoInstant.append(b, e.time());
        b.ascii("\",\"v\":" + VERSION + "}");
        return b.toByteArray();
    }

    public static AuditEvent decode(byte[] entry) {
        Map<String, Object> o = JsonReader.readObject(new String(entry, StandardCharsets.UTF_8));
        Object v = o.get("v");
        if (!(v instanceof Long version) || version != VERSION) {
            throw new IllegalArgumentException("unknown audit entry version " + v);
        }
        Map<String, Object> actor = object(o, "actor");
        Map<String, Object> parameters = object(o, "parameters");
        Map<String, String> params = new TreeMap<>();
        parameters.forEach((k, val) -> params.put(k, (String) val));
        return new AuditEvent(
                Instant.parse(text(o, "time")),
                new AuditEvent.Actor(AuditEvent.Actor.Kind.valueOf(text(actor, "kind").toUpperCase(Locale.ROOT)),
                        text(actor, "id")),
                text(o, "action"),
                text(o, "target"),
                params,
                AuditEvent.Outcome.valueOf(text(o, "outcome").toUpperCase(Locale.ROOT)),
                text(o, "detail"));
    }

    private static String text(Map<String, Object> o, String key) {
        if (o.get(key) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("audit entry field " + key + " is not a string");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> o, String key) {
        if (o.get(key) instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("audit entry field " + key + " is not an object");
    }

    /** {@link #string(StringBuilder, String)} as UTF-8; strings with nothing to escape (nearly all) copied as is. */
    static void string(Utf8Builder b, String s) {
        if (b.plainAscii(s)) {
            return;
        }
        StringBuilder escaped = new StringBuilder(s.length() + 8);
        string(escaped, s);
        b.utf8(escaped.toString());
    }

    /** RFC 8785 string serialization: the short escapes, other controls as lowercase \\u00xx, the rest literal. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
