package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

/** @param requestId the caller's id for the request (logs, audit); not interpreted by the engine */
public record GenerationRequest(String requestId, String modelId, Prompt prompt, SamplingParams params) {

    public GenerationRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(modelId, "modelId is null");
        requireNonNull(prompt, "prompt is null");
        requireNonNull(params, "params is null");
    }
}
