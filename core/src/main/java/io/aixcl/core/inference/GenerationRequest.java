package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * @param requestId the caller's id for the request (logs, audit); not interpreted by the engine
 * @param keepAlive how long the model stays in memory after this generation (Ollama's per-request
 *     {@code keep_alive}: {@link ModelSpec#KEEP_FOREVER} or a non-negative duration); empty: the model's own
 */
public record GenerationRequest(String requestId, String modelId, Prompt prompt, SamplingParams params,
                                Optional<Duration> keepAlive) {

    public GenerationRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(modelId, "modelId is null");
        requireNonNull(prompt, "prompt is null");
        requireNonNull(params, "params is null");
        requireNonNull(keepAlive, "keepAlive is null");
        if (keepAlive.isPresent() && keepAlive.get().isNegative()) {
            throw new InferenceException.InvalidRequest("keep-alive must not be negative: " + keepAlive.get());
        }
    }

    /** With the model's own keep-alive. */
    public GenerationRequest(String requestId, String modelId, Prompt prompt, SamplingParams params) {
        this(requestId, modelId, prompt, params, Optional.empty());
    }
}
