package io.aixcl.engine.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Ollama's native API (docs/api.md in the ollama repository): {@code /api/chat} for a chat, {@code /api/generate}
 * with {@code raw: true} for text (no template: the text is continued as it is), streamed as NDJSON objects
 * {@code {"message":{"content":..}}} / {@code {"response":..}} until one with {@code "done": true}, which carries
 * {@code done_reason}, {@code prompt_eval_count} and {@code eval_count}. Every request carries the spec's
 * keep-alive and context size, so Ollama keeps the model as loaded and never reloads it for a different
 * {@code num_ctx}.
 */
final class OllamaApi implements UpstreamApi {

    static final String NAME = "Ollama";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String readinessPath() {
        return "/api/version";
    }

    @Override
    public String generationPath(GenerationRequest request) {
        return switch (request.prompt()) {
            case Prompt.Chat c -> "/api/chat";
            case Prompt.Text t -> "/api/generate";
        };
    }

    @Override
    public String accept() {
        return "application/x-ndjson, application/json";
    }

    @Override
    public byte[] generationBody(GenerationRequest request, ModelSpec spec) {
        return Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("model", request.modelId());
            switch (request.prompt()) {
                case Prompt.Chat chat -> Json.writeMessages(json, chat.messages());
                case Prompt.Text text -> {
                    json.writeStringField("prompt", text.text());
                    json.writeBooleanField("raw", true);
                }
            }
            json.writeBooleanField("stream", true);
            writeKeepAlive(json, request.keepAlive().orElse(spec.keepAlive()));
            json.writeObjectFieldStart("options");
            writeOptions(json, request.params(), spec.contextTokens());
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    /** The preload (no prompt) and the unload ({@code keep_alive: 0}) that Ollama documents. */
    static byte[] residencyBody(String model, Duration keepAlive, int contextTokens) {
        return Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("model", model);
            json.writeBooleanField("stream", false);
            writeKeepAlive(json, keepAlive);
            if (contextTokens > 0) {
                json.writeObjectFieldStart("options");
                json.writeNumberField("num_ctx", contextTokens);
                json.writeEndObject();
            }
            json.writeEndObject();
        });
    }

    /** Ollama reads a number as seconds (a fraction too) and a negative one as "forever". */
    static void writeKeepAlive(JsonGenerator json, Duration keepAlive) throws IOException {
        if (keepAlive.equals(ModelSpec.KEEP_FOREVER)) {
            json.writeNumberField("keep_alive", -1);
        } else if (keepAlive.getNano() == 0) {
            json.writeNumberField("keep_alive", keepAlive.getSeconds());
        } else {
            json.writeNumberField("keep_alive", keepAlive.toNanos() / 1e9);
        }
    }

    private static void writeOptions(JsonGenerator json, SamplingParams p, int contextTokens) throws IOException {
        json.writeNumberField("temperature", p.temperature());
        json.writeNumberField("top_p", p.topP());
        json.writeNumberField("num_predict", p.maxTokens());
        json.writeNumberField("num_ctx", contextTokens);
        Json.writeStrings(json, "stop", p.stop());
        if (p.seed().isPresent()) {
            json.writeNumberField("seed", p.seed().getAsLong());
        }
    }

    @Override
    public ResponseDecoder decoder(GenerationRequest request, String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        // Ollama streams application/x-ndjson, and answers application/json when not streaming: one object.
        if (!type.startsWith("application/x-ndjson") && !type.startsWith("application/json")) {
            throw new InferenceException.EngineUnavailable("Ollama answered POST " + generationPath(request)
                    + " with Content-Type '" + contentType + "', not application/x-ndjson", null);
        }
        return new NdjsonDecoder(OllamaApi::read);
    }

    /** One streamed object: text, or the final one with why it ended and what it cost, or an error. */
    static void read(byte[] bytes, int offset, int length, GenerationSink sink) {
        try (JsonParser json = Json.parser(bytes, offset, length)) {
            Json.expectObject(json, "NDJSON line");
            boolean done = false;
            String reason = null;
            int promptTokens = -1;
            int completionTokens = -1;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "message" -> {
                        String content = Json.stringField(json, "content");
                        if (content != null) {
                            sink.token(content);
                        }
                    }
                    case "response" -> {
                        String text = Json.text(json);
                        if (text != null) {
                            sink.token(text);
                        }
                    }
                    case "done" -> done = value == JsonToken.VALUE_TRUE;
                    case "done_reason" -> reason = Json.text(json);
                    case "prompt_eval_count" -> promptTokens = Json.integer(json, -1);
                    case "eval_count" -> completionTokens = Json.integer(json, -1);
                    case "error" -> throw new InferenceException.EngineUnavailable(
                            "Ollama reported an error: " + Json.quote(String.valueOf(Json.text(json))), null);
                    default -> json.skipChildren();
                }
            }
            if (done) {
                sink.finish("length".equals(reason) ? FinishReason.LENGTH : FinishReason.STOP);
                // prompt_eval_count is left out when the whole prompt came from Ollama's cache.
                sink.usage(promptTokens, completionTokens);
            }
        } catch (IOException e) {
            throw Json.malformed("NDJSON (" + Json.quote(new String(bytes, offset, Math.min(length, 200),
                    StandardCharsets.UTF_8)) + ")", e);
        }
    }
}
