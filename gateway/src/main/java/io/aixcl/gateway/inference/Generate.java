package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.time.Duration;
import java.util.Optional;

/**
 * A generation request as either protocol asked for it, validated and protocol-neutral.
 *
 * @param includeUsage OpenAI's {@code stream_options.include_usage}: a last chunk with the usage
 * @param keepAlive Ollama's {@code keep_alive}: how long the model stays loaded after this request; empty: its own
 */
public record Generate(String model, Prompt prompt, SamplingParams params, boolean stream, boolean includeUsage,
                       Optional<Duration> keepAlive) {

    public Generate {
        requireNonNull(model, "model is null");
        requireNonNull(prompt, "prompt is null");
        requireNonNull(params, "params is null");
        requireNonNull(keepAlive, "keepAlive is null");
    }

    public long reserveTokens() {
        return TokenEstimate.of(prompt) + params.maxTokens();
    }
}
