package io.aixcl.core.models;

import io.aixcl.core.AixclException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, {@code sha256:<64 lowercase hex>}: the only algorithm the store accepts. */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new AixclException.InvalidInput("invalid sha256 digest '" + clip(hex) + "': expected 64 lowercase hex digits");
        }
    }

    /** Parses {@code sha256:<hex>}, {@code sha256-<hex>} (the blob file name form) or bare hex (as {@code --sha256} takes). */
    public static Digest parse(String text) {
        if (text == null) {
            throw new AixclException.InvalidInput("missing digest");
        }
        String t = text.strip();
        if (t.startsWith("sha256:") || t.startsWith("sha256-")) {
            t = t.substring(7);
        } else if (t.contains(":")) {
            throw new AixclException.InvalidInput("unsupported digest '" + clip(text) + "': only sha256 is accepted");
        }
        return new Digest(t.toLowerCase(java.util.Locale.ROOT));
    }

    public static Digest ofBytes(byte[] sha256) {
        return new Digest(HexFormat.of().formatHex(sha256));
    }

    /** The blob's file name in the store: {@code sha256-<hex>} (no colon, as Ollama names it). */
    public String fileName() {
        return "sha256-" + hex;
    }

    /** A short form for messages and progress bars. */
    public String shortForm() {
        return "sha256:" + hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }

    static String clip(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
