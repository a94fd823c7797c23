package io.aixcl.secrets;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.regex.Matcher;
import io.aixcl.core.secrets.SecretPolicy;

/**
 * Making and converting secret values without Strings, so each copy can be wiped when it is no longer needed.
 * Random values come from {@link SecureRandom}; an alphabet of exactly 64 characters keeps them uniform.
 */
final class SecretValues {
    private static final char[] URL_SAFE =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretValues() {}

    /**
     * A new value by {@code policy}. {@code source} gives the value of another secret for a template; this method
     * wipes what it returns once used.
     */
    static char[] generate(SecretPolicy policy, Function<String, char[]> source) {
        return switch (policy) {
            case SecretPolicy.RandomPassword p -> password(p.length());
            case SecretPolicy.HexKey h -> hex(h.bytes());
            case SecretPolicy.Template t -> render(t, source);
        };
    }

    static char[] password(int length) {
        byte[] random = new byte[length];
        RANDOM.nextBytes(random);
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = URL_SAFE[random[i] & 63];
        }
        Arrays.fill(random, (byte) 0);
        return out;
    }

    static char[] hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        char[] out = new char[bytes * 2];
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < bytes; i++) {
            out[2 * i] = hex.toHighHexDigit(random[i]);
            out[2 * i + 1] = hex.toLowHexDigit(random[i]);
        }
        Arrays.fill(random, (byte) 0);
        return out;
    }

    static char[] render(SecretPolicy.Template t, Function<String, char[]> source) {
        String text = t.text();
        Matcher m = SecretPolicy.Template.PLACEHOLDER.matcher(text);
        char[] out = new char[0];
        int copied = 0;
        while (m.find()) {
            out = append(out, text.substring(copied, m.start()).toCharArray());
            char[] value = source.apply(m.group(1));
            try {
                out = append(out, value);
            } finally {
                Arrays.fill(value, '\0');
            }
            copied = m.end();
        }
        return append(out, text.substring(copied).toCharArray());
    }

    /** {@code a} followed by {@code b}; wipes {@code a}, which the result replaces. */
    private static char[] append(char[] a, char[] b) {
        char[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        Arrays.fill(a, '\0');
        return out;
    }

    static byte[] utf8(char[] value) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    static char[] chars(byte[] utf8) throws CharacterCodingException {
        CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8));
        char[] out = new char[c.remaining()];
        c.get(out);
        Arrays.fill(c.array(), '\0');
        return out;
    }
}
