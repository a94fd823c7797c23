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
    private TokenTemplate template; // made at the first token; a stream's events come one at a time

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
        return chunk(json -> {
            json.writeObjectFieldStart("delta");
            json.writeStringField("role", "assistant");
            json.writeStringField("content", "");
            json.writeEndObject();
        }, null);
    }

    /**
     * One token's event: every byte but the token's text is the same for the whole stream, so the event is the
     * stream's template around the token, JSON-escaped as the generator escapes it (a generator per token was ~6% of
     * a streamed request's CPU), plain ASCII copied as it is. {@link #renderedToken} is the reference, and the tests
     * hold the two equal.
     */
    @Override
    public void token(String text, EventBytes out) {
        if (template == null) {
            template = TokenTemplate.of(renderedToken(TokenTemplate.MARK));
        }
        int start = out.length();
        try {
            template.write(text, out);
        } catch (IllegalArgumentException halfASurrogatePair) {
            out.truncate(start); // the template's start went in before the encoder refused the text
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

    /** A token event split around its text: the text is the last string of the event, after every field it shares. */
    private record TokenTemplate(byte[] before, byte[] after) {
        static final String MARK = "aixcl-token-mark";
        private static final byte[] QUOTED_MARK = ("\"" + MARK + "\"").getBytes(StandardCharsets.US_ASCII);

        static TokenTemplate of(byte[] rendered) {
            int at = lastIndexOf(rendered, QUOTED_MARK);
            return new TokenTemplate(Arrays.copyOfRange(rendered, 0, at + 1),
                    Arrays.copyOfRange(rendered, at + QUOTED_MARK.length - 1, rendered.length));
        }

        void write(String text, EventBytes out) {
            out.append(before);
            if (!out.appendPlainAscii(text)) {
                out.append(JsonStringEncoder.getInstance().quoteAsUTF8(text));
            }
            out.append(after);
        }

        private static int lastIndexOf(byte[] in, byte[] what) {
            for (int i = in.length - what.length; i >= 0; i--) {
                if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                    return i;
                }
            }
            throw new IllegalStateException("the token's mark is not in its rendered event");
        }
    }

    @Override
    public byte[] closing(Completion completion) {
        byte[] finish = chunk(json -> {
            if (chat) {
                json.writeObjectFieldStart("delta");
                json.writeEndObject();
            } else {
                json.writeStringField("text", "");
            }
        }, finishReason(completion.finishReason()));
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

    private byte[] chunk(Json.Writer choiceBody, String finishReason) {
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
