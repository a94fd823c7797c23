package io.aixcl.gateway.inference;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Prompt;

/**
 * An upper bound of what a prompt can cost before any tokenizer has seen it: its UTF-8 length, plus the special and
 * template tokens of each chat message. Every token of a byte-level tokenizer (llama.cpp's SentencePiece with byte
 * fallback, GPT-style BPE) covers at least one byte, so the text never needs more tokens than it has bytes. The
 * bound is what the key reserves, so concurrent requests can never together spend past a budget; it errs high
 * (English runs near 4 bytes a token), but the reservation is replaced by the engine's real count at settlement,
 * so it decides admission only, never the bill.
 */
public final class TokenEstimate {

    /** Role markers and separators a chat template wraps around each message (llama-2's takes about a dozen). */
    static final int TEMPLATE_TOKENS_PER_MESSAGE = 16;
    /** Beginning- and end-of-sequence tokens. */
    static final int SPECIAL_TOKENS = 2;

    private TokenEstimate() {
    }

    public static long of(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text text -> ofText(text.text()) + SPECIAL_TOKENS;
            case Prompt.Chat chat -> {
                long total = SPECIAL_TOKENS;
                for (ChatMessage message : chat.messages()) {
                    total += ofText(message.content()) + TEMPLATE_TOKENS_PER_MESSAGE;
                }
                yield total;
            }
        };
    }

    public static long ofText(CharSequence text) {
        return utf8Length(text);
    }

    /** Counted without encoding, so estimating costs no allocation. */
    static long utf8Length(CharSequence text) {
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
