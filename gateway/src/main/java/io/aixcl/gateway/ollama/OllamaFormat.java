package io.aixcl.gateway.ollama;

import com.fasterxml.jackson.core.JsonGenerator;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.EventBytes;
import io.aixcl.gateway.inference.Json;
import io.aixcl.gateway.inference.StreamFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Ollama's chat and generate shapes: NDJSON lines, the last with {@code done: true}, counts and durations in ns. */
public final class OllamaFormat implements StreamFormat {

    private static final byte[] NEWLINE = "\n".getBytes(StandardCharsets.US_ASCII);

    private final boolean chat;
    private final String model;
    private final Clock clock;
    private final long startNanos;
    private long firstTokenNanos;

    private OllamaFormat(boolean chat, String model, Clock clock, long startNanos) {
        this.chat = chat;
        this.model = model;
        this.clock = clock;
        this.startNanos = startNanos;
    }

    public static OllamaFormat chat(String model, Clock clock, long startNanos) {
        return new OllamaFormat(true, model, clock, startNanos);
    }

    public static OllamaFormat generate(String model, Clock clock, long startNanos) {
        return new OllamaFormat(false, model, clock, startNanos);
    }

    @Override
    public String streamContentType() {
        return "application/x-ndjson";
    }

    @Override
    public byte[] whole(Completion completion) {
        return Json.write(json -> done(json, completion.text(), completion));
    }

    @Override
    public byte[] opening() {
        return null;
    }

    @Override
    public void token(String text, EventBytes out) {
        if (firstTokenNanos == 0) {
            firstTokenNanos = System.nanoTime();
        }
        out.append(Json.write(null, json -> {
            head(json);
            text(json, text);
            json.writeBooleanField("done", false);
            json.writeEndObject();
        }, NEWLINE));
    }

    @Override
    public byte[] closing(Completion completion) {
        return Json.write(null, json -> done(json, "", completion), NEWLINE);
    }

    @Override
    public byte[] error(ApiError error) {
        return Json.write(null, json -> OllamaErrors.write(json, error), NEWLINE);
    }

    /** The answer to a request with nothing to generate: Ollama loads the model and says so. */
    public byte[] loaded() {
        return residency("load");
    }

    /** The answer to a request with nothing to generate and {@code keep_alive: 0}: the model was freed. */
    public byte[] unloaded() {
        return residency("unload");
    }

    private byte[] residency(String reason) {
        return Json.write(json -> {
            head(json);
            text(json, "");
            json.writeStringField("done_reason", reason);
            json.writeBooleanField("done", true);
            json.writeEndObject();
        });
    }

    private void done(JsonGenerator json, String text, Completion completion) throws IOException {
        long end = System.nanoTime();
        long firstToken = firstTokenNanos == 0 ? end : firstTokenNanos;
        head(json);
        text(json, text);
        json.writeStringField("done_reason", completion.finishReason() == FinishReason.LENGTH ? "length" : "stop");
        json.writeBooleanField("done", true);
        json.writeNumberField("total_duration", end - startNanos);
        json.writeNumberField("load_duration", 0);
        json.writeNumberField("prompt_eval_count", completion.usage().promptTokens());
        json.writeNumberField("prompt_eval_duration", firstToken - startNanos);
        json.writeNumberField("eval_count", completion.usage().completionTokens());
        json.writeNumberField("eval_duration", end - firstToken);
        json.writeEndObject();
    }

    private void head(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeStringField("created_at", clock.instant().toString());
    }

    private void text(JsonGenerator json, String text) throws IOException {
        if (chat) {
            json.writeObjectFieldStart("message");
            json.writeStringField("role", "assistant");
            json.writeStringField("content", text);
            json.writeEndObject();
        } else {
            json.writeStringField("response", text);
        }
    }
}
