package io.aixcl.core.inference;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A model as {@code /v1/models}, {@code /api/tags} and {@code /api/show} describe it.
 *
 * @param engine which engine serves it: {@code embedded}, {@code ollama} or {@code openai}
 * @param digest the sha256 of the model's manifest (hex), or empty when the engine does not say
 * @param family the architecture ({@code llama}, {@code qwen2}), or empty when unknown
 * @param parameterCount 0 when unknown
 * @param quantization {@code Q4_K_M}, {@code F16}, ..., or empty when unknown
 */
public record ServedModel(String id, String engine, long sizeBytes, Instant modified, String digest, String family,
                          long parameterCount, String quantization, OptionalLong contextLength) {
    public ServedModel {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(engine, "engine is null");
        Objects.requireNonNull(modified, "modified is null");
        Objects.requireNonNull(digest, "digest is null");
        Objects.requireNonNull(family, "family is null");
        Objects.requireNonNull(quantization, "quantization is null");
        Objects.requireNonNull(contextLength, "contextLength is null");
    }
}
