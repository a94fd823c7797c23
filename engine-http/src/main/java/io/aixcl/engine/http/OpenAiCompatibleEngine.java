package io.aixcl.engine.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import java.io.IOException;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Any OpenAI-compatible server (llama.cpp's {@code llama-server}, vLLM, OpenAI itself) as an inference engine.
 *
 * <p>A model here is an upstream model id: {@link ModelSpec#id()} is sent verbatim as {@code model} and must be
 * one that {@code GET /v1/models} lists. The spec's path and context size mean nothing to this engine (the
 * upstream loaded its models itself); its limits ({@code maxConcurrent}, {@code maxQueued}) are enforced here,
 * and a registered model always counts as resident (the upstream owns memory, and says nothing about it).
 *
 * <p>{@code start()} polls {@code GET /v1/models}. A generation POSTs {@code /v1/chat/completions} (a chat) or
 * {@code /v1/completions} (text) with {@code stream: true}.
 *
 * <p>The base URL may end in {@code /v1} (as OpenAI SDKs write it) or not; the API paths go under {@code /v1}
 * once either way.
 */
public final class OpenAiCompatibleEngine extends HttpEngine {

    private final OpenAiApi api;

    /** On event loops of its own. */
    public OpenAiCompatibleEngine(UpstreamConfig config) {
        this(config, null, Clock.systemUTC());
    }

    /** On {@code loops}, the daemon's (shared with the gateway: an answer is read on the loop that writes it). */
    public OpenAiCompatibleEngine(UpstreamConfig config, EventLoopGroup loops) {
        this(config, requireNonNull(loops, "loops is null"), Clock.systemUTC());
    }

    OpenAiCompatibleEngine(UpstreamConfig config, Clock clock) {
        this(config, null, clock);
    }

    private OpenAiCompatibleEngine(UpstreamConfig config, EventLoopGroup loops, Clock clock) {
        this(new OpenAiApi(requireNonNull(config, "config is null").baseUrl().getRawPath().endsWith("/v1")), config,
                loops, clock);
    }

    private OpenAiCompatibleEngine(OpenAiApi api, UpstreamConfig config, EventLoopGroup loops, Clock clock) {
        super(new Upstream(config, api, loops, "openai-upstream", clock));
        this.api = api;
    }

    /** The models the upstream lists now ({@code GET /v1/models}), whether registered here or not. */
    public List<ServedModel> available() {
        upstream.checkRunning();
        UpstreamClient.Answer answer = upstream.client().exchange(HttpMethod.GET, api.modelsPath(), null,
                controlTimeout());
        if (!answer.ok()) {
            throw new InferenceException.EngineUnavailable("GET " + upstream.config().url(api.modelsPath())
                    + " failed (" + answer.status() + "): " + answer.message(), null);
        }
        return parseModels(answer.body());
    }

    /** Checks that the upstream lists {@code spec.id()}, then registers it with its limits. */
    @Override
    public ModelStatus load(ModelSpec spec) {
        requireNonNull(spec, "spec is null");
        if (available().stream().noneMatch(m -> m.id().equals(spec.id()))) {
            throw new InferenceException.ModelNotFound(spec.id());
        }
        return status(upstream.register(spec));
    }

    @Override
    public void unload(String modelId) {
        upstream.unregister(modelId);
    }

    @Override
    public List<ModelStatus> models() {
        return upstream.registered().stream().map(OpenAiCompatibleEngine::status)
                .sorted(Comparator.comparing(ModelStatus::id)).toList();
    }

    private java.time.Duration controlTimeout() {
        return upstream.config().connectTimeout().plus(upstream.config().firstByteTimeout());
    }

    private static ModelStatus status(RegisteredModel model) {
        return model.status(true, Optional.empty());
    }

    /**
     * {@code {"object":"list","data":[{"id":..,"created":..,"owned_by":..}]}}; llama.cpp adds {@code meta} with
     * {@code n_params}, {@code size} and {@code n_ctx_train}, which are kept when present.
     */
    static List<ServedModel> parseModels(byte[] body) {
        try (JsonParser json = Json.parser(body, 0, body.length)) {
            Json.expectObject(json, "model list");
            List<ServedModel> models = new ArrayList<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                if (field.equals("data") && json.currentToken() == JsonToken.START_ARRAY) {
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        models.add(parseModel(json));
                    }
                } else {
                    json.skipChildren();
                }
            }
            models.sort(Comparator.comparing(ServedModel::id));
            return models;
        } catch (IOException e) {
            throw Json.malformed("model list", e);
        }
    }

    private static ServedModel parseModel(JsonParser json) throws IOException {
        String id = null;
        long created = 0;
        long size = 0;
        long params = 0;
        OptionalLong context = OptionalLong.empty();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "id" -> id = Json.text(json);
                case "created" -> created = Json.longInteger(json, 0);
                case "meta" -> {
                    if (json.currentToken() != JsonToken.START_OBJECT) {
                        json.skipChildren();
                        continue;
                    }
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String meta = json.currentName();
                        json.nextToken();
                        switch (meta) {
                            case "size" -> size = Json.longInteger(json, 0);
                            case "n_params" -> params = Json.longInteger(json, 0);
                            case "n_ctx_train" -> {
                                long n = Json.longInteger(json, -1);
                                context = n > 0 ? OptionalLong.of(n) : OptionalLong.empty();
                            }
                            default -> json.skipChildren();
                        }
                    }
                }
                default -> json.skipChildren();
            }
        }
        if (id == null || id.isBlank()) {
            throw new com.fasterxml.jackson.core.JsonParseException(json, "a listed model has no id");
        }
        return new ServedModel(id, "openai", size, Instant.ofEpochSecond(Math.max(0, created)), "", "", params, "",
                context);
    }
}
