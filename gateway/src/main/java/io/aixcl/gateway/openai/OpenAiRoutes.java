package io.aixcl.gateway.openai;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.gateway.Embedder;
import io.aixcl.gateway.inference.Call;
import io.aixcl.gateway.inference.Catalog;
import io.aixcl.gateway.inference.EmbeddingRequests;
import io.aixcl.gateway.inference.EngineErrors;
import io.aixcl.gateway.inference.Generate;
import io.aixcl.gateway.inference.Generations;
import io.aixcl.gateway.inference.Ids;
import io.aixcl.gateway.inference.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/** The OpenAI-compatible routes under {@code /v1}. */
public final class OpenAiRoutes {

    private final OpenAiRequests requests;
    private final Generations generations;
    private final EmbeddingRequests embeddings;
    private final Catalog catalog;

    public OpenAiRoutes(OpenAiRequests requests, Generations generations, EmbeddingRequests embeddings,
                        Catalog catalog) {
        this.requests = requireNonNull(requests, "requests is null");
        this.generations = requireNonNull(generations, "generations is null");
        this.embeddings = requireNonNull(embeddings, "embeddings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
    }

    public void chat(Call call) throws IOException {
        Generate generate = requests.chat(Json.parseObject(call.body()));
        String id = Ids.next("chatcmpl-");
        generations.serve(call.key(), id, generate, OpenAiFormat.chat(id, call.received().getEpochSecond(),
                generate.model(), generate.includeUsage()), call.channel(), call.record());
    }

    public void completion(Call call) throws IOException {
        Generate generate = requests.completion(Json.parseObject(call.body()));
        String id = Ids.next("cmpl-");
        generations.serve(call.key(), id, generate, OpenAiFormat.completion(id, call.received().getEpochSecond(),
                generate.model(), generate.includeUsage()), call.channel(), call.record());
    }

    public void embeddings(Call call) throws IOException {
        OpenAiRequests.EmbeddingInput input = requests.embeddings(Json.parseObject(call.body()));
        Embedder.Embeddings result = embeddings.embed(call.key(), input.model(), input.inputs(), "input",
                call.record());
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("object", "list");
            json.writeArrayFieldStart("data");
            List<float[]> vectors = result.vectors();
            for (int i = 0; i < vectors.size(); i++) {
                json.writeStartObject();
                json.writeStringField("object", "embedding");
                json.writeNumberField("index", i);
                json.writeFieldName("embedding");
                if (input.base64()) {
                    json.writeString(base64(vectors.get(i)));
                } else {
                    floats(json, vectors.get(i));
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeStringField("model", input.model());
            json.writeObjectFieldStart("usage");
            json.writeNumberField("prompt_tokens", result.promptTokens());
            json.writeNumberField("total_tokens", result.promptTokens());
            json.writeEndObject();
            json.writeEndObject();
        }));
    }

    public void models(Call call) throws IOException {
        List<ServedModel> models = catalog.visible(call);
        call.channel().json(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("object", "list");
            json.writeArrayFieldStart("data");
            for (ServedModel model : models) {
                model(json, model);
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    public void model(Call call) throws IOException {
        String id = call.pathParameter();
        ServedModel model = catalog.find(call, id).orElseThrow(() -> EngineErrors.modelNotFound(id).failure());
        call.channel().json(200, Json.write(json -> model(json, model)));
    }

    private static void model(JsonGenerator json, ServedModel model) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", model.id());
        json.writeStringField("object", "model");
        json.writeNumberField("created", model.modified().getEpochSecond());
        json.writeStringField("owned_by", model.engine());
        json.writeEndObject();
    }

    static void floats(JsonGenerator json, float[] vector) throws IOException {
        json.writeStartArray();
        for (float value : vector) {
            json.writeNumber(value);
        }
        json.writeEndArray();
    }

    /** OpenAI's base64 encoding: the float32 values, little-endian. */
    static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
