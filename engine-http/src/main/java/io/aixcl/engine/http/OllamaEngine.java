package io.aixcl.engine.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParseException;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Ollama over its native API. A model is an Ollama model name ({@link ModelSpec#id()}, sent verbatim; "llama3.2"
 * and "llama3.2:latest" are the same model, as in Ollama). {@link #load} preloads it the way Ollama documents
 * (a generate request without a prompt, with the spec's keep-alive and context size); {@link #unload} asks Ollama to
 * free it ({@code keep_alive: 0}). Ollama owns residency: {@link #models} asks {@code /api/ps} which registered
 * models are in memory and until when. The spec's path means nothing here. {@code start()} polls
 * {@code GET /api/version}; a generation POSTs {@code /api/chat} (a chat) or {@code /api/generate} (raw text).
 */
public final class OllamaEngine extends HttpEngine {

    /** Ollama reports "forever" as an expiry centuries away. */
    private static final Duration FOREVER_HORIZON = Duration.ofDays(365L * 100);

    /** On event loops of its own. */
    public OllamaEngine(UpstreamConfig config) {
        this(config, null, Clock.systemUTC());
    }

    /** On {@code loops}, the daemon's (shared with the gateway: an answer is read on the loop that writes it). */
    public OllamaEngine(UpstreamConfig config, EventLoopGroup loops) {
        this(config, requireNonNull(loops, "loops is null"), Clock.systemUTC());
    }

    OllamaEngine(UpstreamConfig config, Clock clock) {
        this(config, null, clock);
    }

    private OllamaEngine(UpstreamConfig config, EventLoopGroup loops, Clock clock) {
        super(new Upstream(requireNonNull(config, "config is null"), new OllamaApi(), loops, "ollama-upstream",
                clock));
    }

    /** The models Ollama has pulled ({@code GET /api/tags}), whether registered here or not. */
    public List<ServedModel> available() {
        return parseTags(control(HttpMethod.GET, "/api/tags", null).body());
    }

    /** Preloads the model in Ollama and registers it with its limits; ModelNotFound when Ollama lacks it. */
    @Override
    public ModelStatus load(ModelSpec spec) {
        requireNonNull(spec, "spec is null");
        upstream.checkRunning();
        String path = "/api/generate";
        UpstreamClient.Answer answer = upstream.client().exchange(HttpMethod.POST, path,
                OllamaApi.residencyBody(spec.id(), spec.keepAlive(), spec.contextTokens()), loadTimeout());
        if (answer.status() == 404) {
            throw new InferenceException.ModelNotFound(spec.id());
        }
        if (!answer.ok()) {
            throw new InferenceException.LoadFailed("Ollama could not load model '" + spec.id() + "' ("
                    + answer.status() + "): " + answer.message(), null);
        }
        RegisteredModel model = upstream.register(spec);
        return model.status(true, evictAt(upstream.now(), spec.keepAlive()));
    }

    /** Asks Ollama to keep the registered model loaded for {@code keepAlive} (its preload with that keep-alive). */
    @Override
    public void keep(String modelId, Duration keepAlive) {
        upstream.checkRunning();
        RegisteredModel model = upstream.registered().stream().filter(m -> m.spec().id().equals(modelId)).findFirst()
                .orElseThrow(() -> new InferenceException.ModelNotFound(modelId));
        UpstreamClient.Answer answer = upstream.client().exchange(HttpMethod.POST, "/api/generate",
                OllamaApi.residencyBody(modelId, keepAlive, model.spec().contextTokens()), loadTimeout());
        if (!answer.ok()) {
            throw new InferenceException.EngineUnavailable("Ollama could not keep model '" + modelId + "' loaded ("
                    + answer.status() + "): " + answer.message(), null);
        }
    }

    /** Forgets the model here and asks Ollama to free it; the forgetting holds even when Ollama cannot be reached. */
    @Override
    public void unload(String modelId) {
        RegisteredModel model = upstream.unregister(modelId);
        UpstreamClient.Answer answer = upstream.client().exchange(HttpMethod.POST, "/api/generate",
                OllamaApi.residencyBody(modelId, Duration.ZERO, 0), loadTimeout());
        if (!answer.ok() && answer.status() != 404) {
            throw new InferenceException.EngineUnavailable("Ollama could not unload model '" + model.spec().id()
                    + "' (" + answer.status() + "): " + answer.message(), null);
        }
    }

    /** The registered models, resident as {@code /api/ps} says now. */
    @Override
    public List<ModelStatus> models() {
        Map<String, Optional<Instant>> resident = parsePs(control(HttpMethod.GET, "/api/ps", null).body());
        return upstream.registered().stream()
                .map(model -> {
                    Optional<Instant> expires = resident.get(canonical(model.spec().id()));
                    return model.status(expires != null, expires == null ? Optional.empty() : expires);
                })
                .sorted(Comparator.comparing(ModelStatus::id))
                .toList();
    }

    private UpstreamClient.Answer control(HttpMethod method, String path, byte[] body) {
        upstream.checkRunning();
        UpstreamClient.Answer answer = upstream.client().exchange(method, path, body, loadTimeout());
        if (!answer.ok()) {
            throw new InferenceException.EngineUnavailable(method + " " + upstream.config().url(path) + " failed ("
                    + answer.status() + "): " + answer.message(), null);
        }
        return answer;
    }

    /** Loading a large model from disk is slow: the first-byte timeout is how long the upstream may think. */
    private Duration loadTimeout() {
        return upstream.config().connectTimeout().plus(upstream.config().firstByteTimeout());
    }

    private static Optional<Instant> evictAt(Instant now, Duration keepAlive) {
        return keepAlive.equals(ModelSpec.KEEP_FOREVER) ? Optional.empty() : Optional.of(now.plus(keepAlive));
    }

    /** Ollama's own spelling: a name without a tag means ":latest". */
    static String canonical(String name) {
        int slash = name.lastIndexOf('/');
        return name.indexOf(':', slash + 1) < 0 ? name + ":latest" : name;
    }

    /**
     * {@code {"models":[{"name":..,"model":..,"modified_at":..,"size":..,"digest":..,
     * "details":{"family":..,"parameter_size":"8.0B","quantization_level":"Q4_0"}}]}}.
     */
    static List<ServedModel> parseTags(byte[] body) {
        try (JsonParser json = Json.parser(body, 0, body.length)) {
            List<ServedModel> models = new ArrayList<>();
            forEachModel(json, "model list", () -> models.add(parseTag(json)));
            models.sort(Comparator.comparing(ServedModel::id));
            return models;
        } catch (IOException e) {
            throw Json.malformed("model list (/api/tags)", e);
        }
    }

    /** {@code /api/ps}: canonical name → when it leaves memory (empty when kept forever). */
    static Map<String, Optional<Instant>> parsePs(byte[] body) {
        try (JsonParser json = Json.parser(body, 0, body.length)) {
            Map<String, Optional<Instant>> resident = new HashMap<>();
            forEachModel(json, "running model list", () -> {
                String name = null;
                Instant expires = null;
                while (json.nextToken() == JsonToken.FIELD_NAME) {
                    String field = json.currentName();
                    json.nextToken();
                    switch (field) {
                        case "name" -> name = Json.text(json);
                        case "expires_at" -> expires = instant(Json.text(json));
                        default -> json.skipChildren();
                    }
                }
                if (name != null) {
                    resident.put(canonical(name), Optional.ofNullable(expires)
                            .filter(at -> at.isBefore(Instant.now().plus(FOREVER_HORIZON))));
                }
            });
            return resident;
        } catch (IOException e) {
            throw Json.malformed("running model list (/api/ps)", e);
        }
    }

    @FunctionalInterface
    private interface ModelReader {
        void read() throws IOException;
    }

    /** Calls {@code reader} at the start of each object of the top-level {@code models} array. */
    private static void forEachModel(JsonParser json, String what, ModelReader reader) throws IOException {
        Json.expectObject(json, what);
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            if (field.equals("models") && json.currentToken() == JsonToken.START_ARRAY) {
                while (json.nextToken() == JsonToken.START_OBJECT) {
                    reader.read();
                }
            } else {
                json.skipChildren();
            }
        }
    }

    private static ServedModel parseTag(JsonParser json) throws IOException {
        String name = null;
        long size = 0;
        String digest = "";
        Instant modified = Instant.EPOCH;
        String family = "";
        long parameters = 0;
        String quantization = "";
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "name" -> name = Json.text(json);
                case "size" -> size = Json.longInteger(json, 0);
                case "digest" -> digest = String.valueOf(Json.text(json));
                case "modified_at" -> modified = Optional.ofNullable(instant(Json.text(json))).orElse(Instant.EPOCH);
                case "details" -> {
                    if (json.currentToken() != JsonToken.START_OBJECT) {
                        json.skipChildren();
                        continue;
                    }
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String detail = json.currentName();
                        json.nextToken();
                        switch (detail) {
                            case "family" -> family = Optional.ofNullable(Json.text(json)).orElse("");
                            case "parameter_size" -> parameters = parameterCount(Json.text(json));
                            case "quantization_level" -> quantization = Optional.ofNullable(Json.text(json)).orElse("");
                            default -> json.skipChildren();
                        }
                    }
                }
                default -> json.skipChildren();
            }
        }
        if (name == null || name.isBlank()) {
            throw new JsonParseException(json, "a listed model has no name");
        }
        return new ServedModel(name, "ollama", size, modified, digest, family, parameters, quantization,
                OptionalLong.empty());
    }

    /** "8.0B" → 8,000,000,000; "494.03M" → 494,030,000; 0 when unknown. */
    static long parameterCount(String size) {
        if (size == null || size.length() < 2) {
            return 0;
        }
        double scale = switch (Character.toUpperCase(size.charAt(size.length() - 1))) {
            case 'K' -> 1e3;
            case 'M' -> 1e6;
            case 'B' -> 1e9;
            case 'T' -> 1e12;
            default -> 0;
        };
        try {
            return Math.round(Double.parseDouble(size.substring(0, size.length() - 1).strip()) * scale);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
