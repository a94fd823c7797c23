package io.aixcl.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.TokenUsage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiFormatTest {

    @Test
    void streamChunksAreSseEventsAndTheCloseCarriesFinishUsageAndDone() {
        OpenAiFormat format = OpenAiFormat.chat("chatcmpl-1", 1700000000, "m", true);

        assertThat(new String(token(format, "hé\""), StandardCharsets.UTF_8)).isEqualTo("data: {\"id\":\"chatcmpl-1\","
                + "\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\",\"system_fingerprint\":"
                + "null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hé\\\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}],\"usage\":null}\n\n");
        String closing = new String(format.closing(new Completion("x", FinishReason.LENGTH, new TokenUsage(3, 4))),
                StandardCharsets.UTF_8);
        assertThat(closing).contains("\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"")
                .contains("\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}")
                .endsWith("\n\ndata: [DONE]\n\n");
    }

    @Test
    void aTokenEventFromTheStreamsTemplateIsByteForByteTheGeneratorsForAnyText() {
        java.util.Random r = new java.util.Random(7);
        String[] pool = {"a", " ", "\"", "\\", "\n", "\t", "\u0000", "\u001f", "\u007f", "é", "日", "\ud83d\ude00", "/", "<",
            "\u2028", "\ufffd"};
        // The model and id may hold the mark's text too: the token is found last, after them.
        for (OpenAiFormat format : new OpenAiFormat[] {
                OpenAiFormat.chat("chatcmpl-1", 1700000000, "aixcl-token-mark \"quoted\"", true),
                OpenAiFormat.chat("id", 1, "m", false),
                OpenAiFormat.completion("cmpl-\"aixcl-token-mark\"", 2, "m\u00e9", true),
                OpenAiFormat.completion("c", 3, "m", false)}) {
            for (int i = 0; i < 5_000; i++) {
                StringBuilder text = new StringBuilder();
                for (int n = r.nextInt(10); n > 0; n--) {
                    text.append(r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)] : String.valueOf((char) ('a' + r.nextInt(26))));
                }
                String t = i == 0 ? "aixcl-token-mark" : text.toString();
                byte[] fast = token(format, t);
                byte[] reference = format.renderedToken(t);
                // The same JSON always; the same bytes unless the text has characters beyond the BMP, which the
                // generator writes as \\u escapes of their surrogates and the template as their UTF-8 bytes.
                assertThat(event(fast)).as("token %s", t).isEqualTo(event(reference));
                if (t.codePoints().allMatch(c -> c < 0x10000)) {
                    assertThat(fast).as("token %s", t).isEqualTo(reference);
                }
            }
            // Half a surrogate pair (an upstream may send one escaped): written as the generator writes it.
            assertThat(token(format, "a\ud83d")).isEqualTo(format.renderedToken("a\ud83d"));
            assertThat(token(format, "\ude00b")).isEqualTo(format.renderedToken("\ude00b"));
        }
    }

    @Test
    void theOpeningAndTheFinishCutFromTheStreamsFrameAreByteForByteTheGenerators() {
        for (OpenAiFormat format : new OpenAiFormat[] {
                OpenAiFormat.chat("chatcmpl-1", 1700000000, "aixcl-body-mark \"aixcl-reason-mark\"", true),
                OpenAiFormat.chat("id\"aixcl-body-mark\":\"x\"", 1, "m", false),
                OpenAiFormat.completion("cmpl-\"aixcl-reason-mark\"", 2, "m\u00e9", true),
                OpenAiFormat.completion("c", 3, "m", false)}) {
            boolean chat = format.opening() != null;
            if (chat) {
                assertThat(format.opening()).isEqualTo(format.chunk(json -> {
                    json.writeObjectFieldStart("delta");
                    json.writeStringField("role", "assistant");
                    json.writeStringField("content", "");
                    json.writeEndObject();
                }, null));
            }
            for (FinishReason reason : FinishReason.values()) {
                byte[] expected = format.chunk(json -> {
                    if (chat) {
                        json.writeObjectFieldStart("delta");
                        json.writeEndObject();
                    } else {
                        json.writeStringField("text", "");
                    }
                }, OpenAiFormat.finishReason(reason));
                byte[] closing = format.closing(new Completion("x", reason, new TokenUsage(3, 4)));
                assertThat(java.util.Arrays.copyOf(closing, expected.length)).as("%s", reason).isEqualTo(expected);
                assertThat(new String(closing, StandardCharsets.UTF_8)).endsWith("data: [DONE]\n\n");
            }
        }
    }

    /** A token's event, appended after bytes already there (which it must leave alone). */
    private static byte[] token(OpenAiFormat format, String text) {
        var out = new io.aixcl.gateway.inference.EventBytes();
        out.append(new byte[] {'x'});
        format.token(text, out);
        byte[] all = out.toByteArray();
        assertThat(all[0]).isEqualTo((byte) 'x');
        return java.util.Arrays.copyOfRange(all, 1, all.length);
    }

    private static com.fasterxml.jackson.databind.JsonNode event(byte[] sse) {
        String text = new String(sse, StandardCharsets.UTF_8);
        assertThat(text).startsWith("data: ").endsWith("\n\n");
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text.substring(6, text.length() - 2));
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    @Test
    void aCancelledGenerationStillReportsAReasonOpenAiDefines() {
        assertThat(OpenAiFormat.finishReason(FinishReason.CANCELLED)).isEqualTo("stop");
        assertThat(OpenAiFormat.finishReason(FinishReason.STOP)).isEqualTo("stop");
    }
}
