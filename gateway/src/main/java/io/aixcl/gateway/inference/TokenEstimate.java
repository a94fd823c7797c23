package io.aixcl.gateway.inference;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Prompt;

/**
 * What a prompt will cost before any tokenizer has seen it: UTF-8 bytes / 3, rounded up, plus a few tokens per chat
 * message for the template. English runs at about 4 bytes a token, so this errs high for most text; the key's
 * reservation is replaced by the engine's real count when the request settles, so the estimate only decides
 * admission, never the bill.
 */
public final class TokenEstimate {

    static final int TEMPLATE_TOKENS_PER_MESSAGE = 8;

    private TokenEstimate() {
    }

    public static long of(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text text -> ofText(text.text());
            case Prompt.Chat chat -> {
                long total = 0;
                for (ChatMessage message : chat.messages()) {
                    total += ofText(message.content()) + TEMPLATE_TOKENS_PER_MESSAGE;
                }
                yield total;
            }
        };
    }

    public static long ofText(CharSequence text) {
        return (utf8Length(text) + 2) / 3;
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
