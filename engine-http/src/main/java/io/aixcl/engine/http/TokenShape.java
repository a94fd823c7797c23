package io.aixcl.engine.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes around the text of a stream's token event, learnt from one event the parser read in full. A stream's token
 * events differ only in their text ({@code {"id":..,"choices":[{"index":0,"delta":{"content":"TEXT"},..}]}}), and
 * parsing the same hundred-odd bytes again for every token was most of a streamed request's JSON work.
 *
 * <p>Why reading the text between the same bytes is reading the event: the learnt event had no backslash, so each of
 * its strings lies in its bytes as its UTF-8 text, and its token's quoted text occurs in it exactly once, so that
 * occurrence is where the token came from. An event with the same bytes before and after, and between them a string
 * with no quote, backslash or control character in valid UTF-8, is tokenised exactly as the learnt one, the token's
 * value aside: it means the same with that text. Anything else (an escape, another field, a finish, the usage) does
 * not match, and goes to the parser.
 */
final class TokenShape {

    /** Through the text's opening quote. */
    private final byte[] prefix;
    /** From the text's closing quote to the event's end. */
    private final byte[] suffix;

    private TokenShape(byte[] prefix, byte[] suffix) {
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /**
     * The shape of an event the parser read as exactly one token, {@code text}, and nothing else; null when the event
     * cannot serve as one (an escape in it, or its quoted text found other than once).
     */
    static TokenShape of(byte[] event, int offset, int length, String text) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (event[i] == '\\') {
                return null;
            }
        }
        byte[] quoted = ("\"" + text + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(event, offset, end, quoted);
        if (at < 0 || indexOf(event, at + 1, end, quoted) >= 0) {
            return null;
        }
        return new TokenShape(Arrays.copyOfRange(event, offset, at + 1),
                Arrays.copyOfRange(event, at + quoted.length - 1, end));
    }

    /** The event's token text when the event has this shape, else null (the parser reads it). */
    String text(byte[] event, int offset, int length) {
        int end = offset + length;
        if (length < prefix.length + suffix.length
                || !Arrays.equals(event, offset, offset + prefix.length, prefix, 0, prefix.length)) {
            return null;
        }
        int start = offset + prefix.length;
        int close = -1;
        boolean ascii = true;
        for (int i = start; i < end; i++) {
            byte b = event[i];
            if (b == '"') {
                close = i;
                break;
            }
            if (b == '\\' || (b >= 0 && b < 0x20)) {
                return null;
            }
            ascii &= b >= 0;
        }
        if (close < 0 || end - close != suffix.length || !Arrays.equals(event, close, end, suffix, 0, suffix.length)) {
            return null;
        }
        if (ascii) {
            return new String(event, start, close - start, StandardCharsets.ISO_8859_1);
        }
        String text = new String(event, start, close - start, StandardCharsets.UTF_8);
        // Malformed UTF-8 decodes to U+FFFD: the parser decides (and a real U+FFFD costs a parse, nothing more).
        return text.indexOf('\uFFFD') < 0 ? text : null;
    }

    private static int indexOf(byte[] in, int from, int end, byte[] what) {
        for (int i = from; i <= end - what.length; i++) {
            if (in[i] == what[0] && Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }
}
