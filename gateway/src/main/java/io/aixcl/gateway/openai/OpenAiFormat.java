package io.aixcl.gateway.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.TokenUsage;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.EventBytes;
import io.aixcl.gateway.inference.Json;
import io.aixcl.gateway.inference.StreamFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** OpenAI's chat and text completion shapes, whole and as server-sent events. */
public final class OpenAiFormat implements StreamFormat {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private ChunkFrame frame; // made at the first chunk; a stream's events come one at a time

    private OpenAiFormat(boolean chat, String id, long created, String model, boolean includeUsage) {
        this.chat = chat;
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    public static OpenAiFormat chat(String id, long created, String model, boolean includeUsage) {
        return new OpenAiFormat(true, id, created, model, includeUsage);
    }

    public static OpenAiFormat completion(String id, long created, String model, boolean includeUsage) {
        return new OpenAiFormat(false, id, created, model, includeUsage);
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public byte[] whole(Completion completion) {
        return Json.write(json -> {
            head(json, chat ? "chat.completion" : "text_completion");
            json.writeArrayFieldStart("choices");
            json.writeStartObject();
            json.writeNumberField("index", 0);
            if (chat) {
                json.writeObjectFieldStart("message");
                json.writeStringField("role", "assistant");
                json.writeStringField("content", completion.text());
                json.writeEndObject();
            } else {
                json.writeStringField("text", completion.text());
            }
            json.writeNullField("logprobs");
            json.writeStringField("finish_reason", finishReason(completion.finishReason()));
            json.writeEndObject();
            json.writeEndArray();
            usage(json, completion.usage());
            json.writeEndObject();
        });
    }

    @Override
    public byte[] opening() {
        if (!chat) {
            return null;
        }
        return frame().event(ROLE_DELTA, null);
    }

    /**
     * One token's event: every byte but the token's text is the same for the whole stream, so the event is the
     * stream's {@link ChunkFrame} around the token, JSON-escaped as the generator escapes it (a generator per token was ~6% of
     * a streamed request's CPU), plain ASCII copied as it is. {@link #renderedToken} is the reference, and the tests
     * hold the two equal.
     */
    @Override
    public void token(String text, EventBytes out) {
        ChunkFrame frame = frame();
        int start = out.length();
        try {
            out.append(frame.beforeToken());
            if (!out.appendPlainAscii(text)) {
                out.append(JsonStringEncoder.getInstance().quoteAsUTF8(text));
            }
            out.append(frame.afterToken());
        } catch (IllegalArgumentException halfASurrogatePair) {
            out.truncate(start); // the frame's start went in before the encoder refused the text
            out.append(renderedToken(text)); // the generator writes half a pair as an escape
        }
    }

    byte[] renderedToken(String text) {
        return chunk(json -> {
            if (chat) {
                json.writeObjectFieldStart("delta");
                json.writeStringField("content", text);
                json.writeEndObject();
            } else {
                json.writeStringField("text", text);
            }
        }, null);
    }

    private ChunkFrame frame() {
        if (frame == null) {
            frame = ChunkFrame.of(chunk(json -> json.writeStringField(ChunkFrame.BODY_MARK, "x"), ChunkFrame.REASON_MARK),
                    chat);
        }
        return frame;
    }

    private static final byte[] ROLE_DELTA = ascii("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}");
    private static final byte[] EMPTY_DELTA = ascii("\"delta\":{}");
    private static final byte[] EMPTY_TEXT = ascii("\"text\":\"\"");

    /**
     * A stream's chunk split around what differs between its chunks: every chunk is {@code head}, the choice's body
     * ({@code "delta":{...}} or {@code "text":"..."}), {@code middle}, the finish reason ({@code null} or a quoted
     * reason) and {@code tail}. Cut from one chunk the generator rendered with marks in place of the two parts, so
     * every chunk of the stream costs copies instead of a generator run; the bodies are the generator's bytes for
     * them, which {@code OpenAiFormatTest} holds equal.
     */
    private record ChunkFrame(byte[] head, byte[] middle, byte[] tail, byte[] beforeToken, byte[] afterToken) {
        static final String BODY_MARK = "aixcl-body-mark";
        static final String REASON_MARK = "aixcl-reason-mark";
        private static final byte[] QUOTED_BODY = ascii("\"" + BODY_MARK + "\":\"x\"");
        private static final byte[] QUOTED_REASON = ascii("\"" + REASON_MARK + "\"");
        private static final byte[] NULL = ascii("null");

        static ChunkFrame of(byte[] marked, boolean chat) {
            // The marks come after the id and the model, whose text cannot hold them quoted (its quotes are escaped).
            int body = lastIndexOf(marked, QUOTED_BODY);
            int reason = lastIndexOf(marked, QUOTED_REASON);
            byte[] head = Arrays.copyOfRange(marked, 0, body);
            byte[] middle = Arrays.copyOfRange(marked, body + QUOTED_BODY.length, reason);
            byte[] tail = Arrays.copyOfRange(marked, reason + QUOTED_REASON.length, marked.length);
            byte[] tokenStart = ascii(chat ? "\"delta\":{\"content\":\"" : "\"text\":\"");
            byte[] tokenEnd = ascii(chat ? "\"}" : "\"");
            return new ChunkFrame(head, middle, tail, concat(head, tokenStart),
                    concat(tokenEnd, middle, NULL, tail));
        }

        /** A chunk with {@code body} as its choice's body and {@code finishReason} (null: none yet). */
        byte[] event(byte[] body, String finishReason) {
            return finishReason == null ? concat(head, body, middle, NULL, tail)
                    : concat(head, body, middle, ascii("\"" + finishReason + "\""), tail);
        }

        private static int lastIndexOf(byte[] in, byte[] what) {
            for (int i = in.length - what.length; i >= 0; i--) {
                if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                    return i;
                }
            }
            throw new IllegalStateException("a mark is not in the rendered chunk");
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    @Override
    public byte[] closing(Completion completion) {
        byte[] finish = frame().event(chat ? EMPTY_DELTA : EMPTY_TEXT, finishReason(completion.finishReason()));
        byte[] usage = includeUsage ? Json.write(DATA, json -> {
            head(json, chat ? "chat.completion.chunk" : "text_completion");
            json.writeArrayFieldStart("choices");
            json.writeEndArray();
            usage(json, completion.usage());
            json.writeEndObject();
        }, EVENT_END) : new byte[0];
        byte[] all = new byte[finish.length + usage.length + DONE.length];
        System.arraycopy(finish, 0, all, 0, finish.length);
        System.arraycopy(usage, 0, all, finish.length, usage.length);
        System.arraycopy(DONE, 0, all, finish.length + usage.length, DONE.length);
        return all;
    }

    @Override
    public byte[] error(ApiError error) {
        return Json.write(DATA, json -> OpenAiErrors.write(json, error), EVENT_END);
    }

    /** A chunk as the generator renders it: the reference the stream's {@link ChunkFrame} is cut from. */
    byte[] chunk(Json.Writer choiceBody, String finishReason) {
        return Json.write(DATA, json -> {
            head(json, chat ? "chat.completion.chunk" : "text_completion");
            json.writeArrayFieldStart("choices");
            json.writeStartObject();
            json.writeNumberField("index", 0);
            choiceBody.write(json);
            json.writeNullField("logprobs");
            if (finishReason == null) {
                json.writeNullField("finish_reason");
            } else {
                json.writeStringField("finish_reason", finishReason);
            }
            json.writeEndObject();
            json.writeEndArray();
            if (includeUsage) {
                json.writeNullField("usage");
            }
            json.writeEndObject();
        }, EVENT_END);
    }

    private void head(JsonGenerator json, String object) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", id);
        json.writeStringField("object", object);
        json.writeNumberField("created", created);
        json.writeStringField("model", model);
        json.writeNullField("system_fingerprint");
    }

    private static void usage(JsonGenerator json, TokenUsage usage) throws IOException {
        json.writeObjectFieldStart("usage");
        json.writeNumberField("prompt_tokens", usage.promptTokens());
        json.writeNumberField("completion_tokens", usage.completionTokens());
        json.writeNumberField("total_tokens", usage.totalTokens());
        json.writeEndObject();
    }

    /** A cancelled generation has no client left to read its reason; "stop" keeps the field in OpenAI's set. */
    static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }
}
