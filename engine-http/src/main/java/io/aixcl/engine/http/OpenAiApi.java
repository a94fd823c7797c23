package io.aixcl.engine.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The OpenAI API as llama.cpp's server, vLLM and OpenAI itself speak it: {@code /v1/chat/completions} for a chat,
 * {@code /v1/completions} for raw text, streamed as server-sent events of {@code chat.completion.chunk} /
 * {@code text_completion} objects, usage in the last chunk when {@code stream_options.include_usage} is set,
 * ended by {@code data: [DONE]}. An upstream that answers {@code application/json} instead is read as one
 * whole completion.
 */
final class OpenAiApi implements UpstreamApi {

    static final String NAME = "OpenAI-compatible upstream";

    private static final String EVENT_STREAM = "text/event-stream";
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final String v1;

    /** {@code baseHasV1}: the configured URL already ends with {@code /v1} (as OpenAI SDKs write it). */
    OpenAiApi(boolean baseHasV1) {
        this.v1 = baseHasV1 ? "" : "/v1";
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String readinessPath() {
        return modelsPath();
    }

    String modelsPath() {
        return v1 + "/models";
    }

    @Override
    public String generationPath(GenerationRequest request) {
        return switch (request.prompt()) {
            case Prompt.Chat c -> v1 + "/chat/completions";
            case Prompt.Text t -> v1 + "/completions";
        };
    }

    @Override
    public String accept() {
        return EVENT_STREAM + ", application/json";
    }

    @Override
    public byte[] generationBody(GenerationRequest request, ModelSpec spec) {
        return Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("model", request.modelId());
            switch (request.prompt()) {
                case Prompt.Chat chat -> Json.writeMessages(json, chat.messages());
                case Prompt.Text text -> json.writeStringField("prompt", text.text());
            }
            json.writeBooleanField("stream", true);
            json.writeObjectFieldStart("stream_options");
            json.writeBooleanField("include_usage", true);
            json.writeEndObject();
            writeSampling(json, request.params());
            json.writeEndObject();
        });
    }

    private static void writeSampling(JsonGenerator json, SamplingParams p) throws IOException {
        // max_tokens rather than max_completion_tokens: every compatible server (llama.cpp, vLLM) reads it.
        json.writeNumberField("max_tokens", p.maxTokens());
        json.writeNumberField("temperature", p.temperature());
        json.writeNumberField("top_p", p.topP());
        Json.writeStrings(json, "stop", p.stop());
        if (p.seed().isPresent()) {
            json.writeNumberField("seed", p.seed().getAsLong());
        }
    }

    @Override
    public ResponseDecoder decoder(GenerationRequest request, String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith(EVENT_STREAM)) {
            return new SseDecoder(new StreamReader());
        }
        if (type.startsWith("application/json")) {
            return new WholeBodyDecoder((body, length, sink) -> {
                if (!read(body, 0, length, sink, "completion")) {
                    sink.finish(FinishReason.STOP); // a whole completion is finished, whether or not it says why
                }
            });
        }
        throw new InferenceException.EngineUnavailable("the upstream answered POST "
                + generationPath(request) + " with Content-Type '" + contentType
                + "', neither text/event-stream nor application/json", null);
    }

    /**
     * The events of one stream: chunks until {@code [DONE]}, which also stands for a finish never stated. Every event's
     * JSON goes through one non-blocking parser fed event by event: a parser made per event (its context, buffers and
     * name table) cost more than reading the event.
     */
    static final class StreamReader implements SseDecoder.EventHandler {
        private final JsonParser json = Json.nonBlockingParser();
        private final Counting counting = new Counting();
        /** The last token event's shape: a token event like it is read without the parser. */
        private TokenShape shape;
        /** Events read by their shape (for the tests). */
        int byShape;
        private boolean done;
        private boolean finished;

        @Override
        public void event(String event, byte[] data, int offset, int length, GenerationSink sink) {
            if (done) {
                return;
            }
            if (Arrays.equals(data, offset, offset + length, DONE, 0, DONE.length)) {
                done = true;
                ended();
                if (!finished) {
                    finished = true;
                    sink.finish(FinishReason.STOP);
                }
                return;
            }
            if ("error".equals(event)) {
                throw midStreamError(Json.errorMessage(data, offset, length));
            }
            if (shape != null) {
                String text = shape.text(data, offset, length);
                if (text != null) {
                    byShape++;
                    sink.token(text);
                    return;
                }
            }
            counting.reset(sink);
            try {
                ((ByteArrayFeeder) json.getNonBlockingInputFeeder()).feedInput(data, offset, offset + length);
                finished |= readObject(json, counting, "server-sent event");
                if (json.nextToken() != JsonToken.NOT_AVAILABLE) {
                    throw new JsonParseException(json, "server-sent event has trailing content");
                }
            } catch (IOException e) {
                throw malformed("server-sent event", data, offset, length, e);
            }
            if (counting.onlyToken != null) {
                TokenShape learnt = TokenShape.of(data, offset, length, counting.onlyToken);
                if (learnt != null) {
                    shape = learnt;
                }
            }
        }

        /** Passes an event's reading on, noting whether it was one token and nothing else. */
        private static final class Counting implements GenerationSink {
            private GenerationSink target;
            private int calls;
            /** The event's text when its only effect was one token. */
            String onlyToken;

            void reset(GenerationSink sink) {
                target = sink;
                calls = 0;
                onlyToken = null;
            }

            @Override
            public void token(String text) {
                onlyToken = ++calls == 1 ? text : null;
                target.token(text);
            }

            @Override
            public void finish(FinishReason reason) {
                calls++;
                onlyToken = null;
                target.finish(reason);
            }

            @Override
            public void usage(int promptTokens, int completionTokens) {
                calls++;
                onlyToken = null;
                target.usage(promptTokens, completionTokens);
            }
        }

        @Override
        public void ended() {
            try {
                json.close(); // its buffers back to the thread's recycler
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A whole completion, or one chunk: the first choice's text ({@code delta.content}, {@code message.content} or
     * {@code text}), its {@code finish_reason}, the {@code usage}, or an {@code error}. Returns whether a finish
     * reason was stated.
     */
    static boolean read(byte[] bytes, int offset, int length, GenerationSink sink, String what) {
        try (JsonParser json = Json.parser(bytes, offset, length)) {
            boolean finished = readObject(json, sink, what);
            if (json.nextToken() != null) {
                throw new JsonParseException(json, what + " has trailing content");
            }
            return finished;
        } catch (IOException e) {
            throw malformed(what, bytes, offset, length, e);
        }
    }

    private static InferenceException malformed(String what, byte[] bytes, int offset, int length, IOException e) {
        return Json.malformed(what + " (" + Json.quote(new String(bytes, offset, Math.min(length, 200),
                StandardCharsets.UTF_8)) + ")", e);
    }

    /** One object from its start to its end, the parser left on its closing brace. */
    private static boolean readObject(JsonParser json, GenerationSink sink, String what) throws IOException {
        Json.expectObject(json, what);
        boolean finished = false;
        String errorMessage = null;
        boolean errorObject = false;
        JsonToken token;
        while ((token = json.nextToken()) == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "choices" -> finished = readChoices(json, sink);
                case "usage" -> readUsage(json, sink);
                case "error" -> throw midStreamError(value == JsonToken.START_OBJECT
                        ? String.valueOf(Json.stringField(json, "message")) : String.valueOf(Json.text(json)));
                case "object" -> errorObject = "error".equals(Json.text(json)); // vLLM's error shape
                case "message" -> errorMessage = Json.text(json);
                default -> json.skipChildren();
            }
        }
        // The token returned, not the parser's current one: a non-blocking parser out of input returns NOT_AVAILABLE
        // and keeps the token before it as current.
        if (token != JsonToken.END_OBJECT) {
            throw new JsonParseException(json, what + " ends inside its JSON object");
        }
        if (errorObject) {
            throw midStreamError(String.valueOf(errorMessage));
        }
        return finished;
    }

    private static boolean readChoices(JsonParser json, GenerationSink sink) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            json.skipChildren();
            return false;
        }
        boolean finished = false;
        boolean first = true;
        while (json.nextToken() == JsonToken.START_OBJECT) {
            if (!first) {
                json.skipChildren(); // we ask for one choice (n = 1); more would be another generation
                continue;
            }
            first = false;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "delta", "message" -> {
                        String content = Json.stringField(json, "content");
                        if (content != null) {
                            sink.token(content);
                        }
                    }
                    case "text" -> {
                        String text = Json.text(json);
                        if (text != null) {
                            sink.token(text);
                        }
                    }
                    case "finish_reason" -> {
                        String reason = Json.text(json);
                        if (reason != null) {
                            sink.finish(finishReason(reason));
                            finished = true;
                        }
                    }
                    default -> json.skipChildren();
                }
            }
        }
        return finished;
    }

    private static void readUsage(JsonParser json, GenerationSink sink) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) {
            json.skipChildren();
            return;
        }
        int prompt = -1;
        int completion = -1;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "prompt_tokens" -> prompt = Json.integer(json, -1);
                case "completion_tokens" -> completion = Json.integer(json, -1);
                default -> json.skipChildren();
            }
        }
        if (prompt >= 0 && completion >= 0) {
            sink.usage(prompt, completion);
        }
    }

    /** "length" is the token limit; every other reason (stop, eos, tool_calls, content_filter) ends normally. */
    static FinishReason finishReason(String reason) {
        return reason.equals("length") ? FinishReason.LENGTH : FinishReason.STOP;
    }

    private static InferenceException midStreamError(String message) {
        return new InferenceException.EngineUnavailable("the upstream reported an error: " + Json.quote(message), null);
    }
}
