package io.aixcl.gateway.ollama;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.gateway.Embedder;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Call;
import io.aixcl.gateway.inference.Catalog;
import io.aixcl.gateway.inference.EmbeddingRequests;
import io.aixcl.gateway.inference.ErrorKind;
import io.aixcl.gateway.inference.Generate;
import io.aixcl.gateway.inference.Generations;
import io.aixcl.gateway.inference.Ids;
import io.aixcl.gateway.inference.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The Ollama-compatible routes under {@code /api}. */
public final class OllamaRoutes {

    /** The Ollama API version this gateway answers like; clients check it for features. */
    public static final String COMPATIBLE_VERSION = "0.9.0";

    /** Expiry shown for models kept in memory without limit. */
    private static final Instant FOREVER = Instant.parse("2318-01-01T00:00:00Z");

    private final OllamaRequests requests;
    private final Generations generations;
    private final EmbeddingRequests embeddings;
    private final Catalog catalog;
    private final Clock clock;

    public OllamaRoutes(OllamaRequests requests, Generations generations, EmbeddingRequests embeddings,
                        Catalog catalog, Clock clock) {
        this.requests = requireNonNull(requests, "requests is null");
        this.generations = requireNonNull(generations, "generations is null");
        this.embeddings = requireNonNull(embeddings, "embeddings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void chat(Call call) throws IOException {
        ObjectNode body = Json.parseObject(call.body());
        Optional<Generate> generate = requests.chat(body);
        OllamaFormat format = OllamaFormat.chat(OllamaRequests.model(body), clock, call.startNanos());
        serve(call, generate, format, body);
    }

    public void generate(Call call) throws IOException {
        ObjectNode body = Json.parseObject(call.body());
        Optional<Generate> generate = requests.generate(body);
        OllamaFormat format = OllamaFormat.generate(OllamaRequests.model(body), clock, call.startNanos());
        serve(call, generate, format, body);
    }

    private void serve(Call call, Optional<Generate> generate, OllamaFormat format, ObjectNode body)
            throws IOException {
        String model = OllamaRequests.model(body);
        // Loading and unloading wait for the engine: on a thread of their own, not the I/O thread.
        if (generate.isEmpty() && OllamaRequests.unloads(body)) {
            call.channel().blocking(() -> {
                generations.release(call.key(), model, call.record());
                call.channel().json(200, format.unloaded());
            });
            return;
        }
        if (generate.isEmpty()) {
            call.channel().blocking(() -> {
                generations.preload(call.key(), model, KeepAlive.of(body), call.record());
                call.channel().json(200, format.loaded());
            });
            return;
        }
        generations.serve(call.key(), Ids.next("ollama-"), generate.get(), format, call.channel(), call.record());
    }

    public void embed(Call call) throws IOException {
        OllamaRequests.EmbedInput input = requests.embed(Json.parseObject(call.body()));
        Embedder.Embeddings result = embeddings.embed(call.key(), input.model(), input.inputs(), "input",
                call.record());
        long duration = System.nanoTime() - call.startNanos();
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("model", input.model());
            json.writeArrayFieldStart("embeddings");
            for (float[] vector : result.vectors()) {
                floats(json, vector);
            }
            json.writeEndArray();
            json.writeNumberField("total_duration", duration);
            json.writeNumberField("load_duration", 0);
            json.writeNumberField("prompt_eval_count", result.promptTokens());
            json.writeEndObject();
        }));
    }

    public void legacyEmbeddings(Call call) throws IOException {
        OllamaRequests.EmbedInput input = requests.legacyEmbed(Json.parseObject(call.body()));
        Embedder.Embeddings result = embeddings.embed(call.key(), input.model(), input.inputs(), "prompt",
                call.record());
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeFieldName("embedding");
            floats(json, result.vectors().get(0));
            json.writeEndObject();
        }));
    }

    public void tags(Call call) throws IOException {
        List<ServedModel> models = catalog.visible(call);
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("models");
            for (ServedModel model : models) {
                json.writeStartObject();
                names(json, model);
                json.writeStringField("modified_at", model.modified().toString());
                json.writeNumberField("size", model.sizeBytes());
                json.writeStringField("digest", model.digest());
                details(json, model);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    public void show(Call call) throws IOException {
        String id = requests.show(Json.parseObject(call.body()));
        ServedModel model = catalog.find(call, id).orElseThrow(() -> new ApiError(ErrorKind.NOT_FOUND,
                "model '" + id + "' not found", "model", "model_not_found", Optional.empty()).failure());
        boolean embedding = model.id().equals(catalog.embedderModel().id());
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("license", "");
            json.writeStringField("modelfile", "");
            json.writeStringField("parameters", "");
            json.writeStringField("template", "");
            details(json, model);
            json.writeObjectFieldStart("model_info");
            String family = model.family().isEmpty() ? "unknown" : model.family();
            json.writeStringField("general.architecture", family);
            json.writeNumberField("general.parameter_count", model.parameterCount());
            if (model.contextLength().isPresent()) {
                json.writeNumberField(family + ".context_length", model.contextLength().getAsLong());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("capabilities");
            json.writeString(embedding ? "embedding" : "completion");
            json.writeEndArray();
            json.writeStringField("modified_at", model.modified().toString());
            json.writeEndObject();
        }));
    }

    public void ps(Call call) throws IOException {
        List<Catalog.Resident> resident = catalog.resident(call);
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("models");
            for (Catalog.Resident entry : resident) {
                ServedModel model = entry.model();
                json.writeStartObject();
                names(json, model);
                json.writeNumberField("size", model.sizeBytes());
                json.writeStringField("digest", model.digest());
                details(json, model);
                json.writeStringField("expires_at", entry.status().evictAt().orElse(FOREVER).toString());
                json.writeNumberField("size_vram", 0);
                json.writeNumberField("context_length", entry.status().spec().contextTokens());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    /** Even the version needs a key: every route does, so an unauthenticated caller learns nothing. */
    public void version(Call call) throws IOException {
        catalog.authenticate(call);
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("version", COMPATIBLE_VERSION);
            json.writeEndObject();
        }));
    }

    private static void names(JsonGenerator json, ServedModel model) throws IOException {
        json.writeStringField("name", model.id());
        json.writeStringField("model", model.id());
    }

    private static void details(JsonGenerator json, ServedModel model) throws IOException {
        json.writeObjectFieldStart("details");
        json.writeStringField("parent_model", "");
        json.writeStringField("format", "gguf");
        json.writeStringField("family", model.family());
        json.writeArrayFieldStart("families");
        if (!model.family().isEmpty()) {
            json.writeString(model.family());
        }
        json.writeEndArray();
        json.writeStringField("parameter_size", parameterSize(model.parameterCount()));
        json.writeStringField("quantization_level", model.quantization());
        json.writeEndObject();
    }

    /** As Ollama shows it: {@code 6.7B}, {@code 23M}; empty when unknown. */
    static String parameterSize(long count) {
        if (count >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", count / 1e9);
        }
        if (count >= 1_000_000L) {
            return (count / 1_000_000L) + "M";
        }
        if (count >= 1_000L) {
            return (count / 1_000L) + "K";
        }
        return count == 0 ? "" : Long.toString(count);
    }

    static void floats(JsonGenerator json, float[] vector) throws IOException {
        json.writeStartArray();
        for (float value : vector) {
            json.writeNumber(value);
        }
        json.writeEndArray();
    }
}
