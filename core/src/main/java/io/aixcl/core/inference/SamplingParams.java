package io.aixcl.core.inference;

import java.util.List;
import java.util.OptionalLong;

/**
 * How tokens are sampled. Bounds are checked here, so no adapter has to; the gateway validates what clients
 * send against its own (usually tighter) limits before building one.
 *
 * @param maxTokens the most tokens generated; a generation cut by it finishes with {@link FinishReason#LENGTH}
 * @param stop sequences that end the generation; the sequence itself is not part of the output
 * @param seed a fixed seed makes a generation repeatable; empty draws a random one
 */
public record SamplingParams(double temperature, double topP, int maxTokens, List<String> stop, OptionalLong seed) {

    public static final int MAX_STOP_SEQUENCES = 16;

    public SamplingParams {
        stop = List.copyOf(stop);
        if (!(temperature >= 0 && temperature <= 10)) {
            throw new InferenceException.InvalidRequest("temperature out of range [0, 10]: " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InferenceException.InvalidRequest("top_p out of range (0, 1]: " + topP);
        }
        if (maxTokens < 1 || maxTokens > 1 << 20) {
            throw new InferenceException.InvalidRequest("max_tokens out of range [1, 1048576]: " + maxTokens);
        }
        if (stop.size() > MAX_STOP_SEQUENCES || stop.stream().anyMatch(String::isEmpty)) {
            throw new InferenceException.InvalidRequest(
                    "at most " + MAX_STOP_SEQUENCES + " non-empty stop sequences are allowed");
        }
        if (seed == null) {
            throw new NullPointerException("seed is null");
        }
    }

    public static SamplingParams defaults() {
        return new SamplingParams(0.8, 0.95, 512, List.of(), OptionalLong.empty());
    }

    public SamplingParams withTemperature(double value) {
        return new SamplingParams(value, topP, maxTokens, stop, seed);
    }

    public SamplingParams withTopP(double value) {
        return new SamplingParams(temperature, value, maxTokens, stop, seed);
    }

    public SamplingParams withMaxTokens(int value) {
        return new SamplingParams(temperature, topP, value, stop, seed);
    }

    public SamplingParams withStop(List<String> value) {
        return new SamplingParams(temperature, topP, maxTokens, value, seed);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topP, maxTokens, stop, OptionalLong.of(value));
    }
}
