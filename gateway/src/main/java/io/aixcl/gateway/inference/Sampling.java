package io.aixcl.gateway.inference;

import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.SamplingParams;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Builds {@link SamplingParams} from what a client asked, under the gateway's token limits. Range checks of
 * temperature and top_p stay in SamplingParams (one place); its refusal is mapped to the field the client sent.
 *
 * @param names the request's own names for the fields, e.g. {@code options.temperature} for Ollama
 */
public record Sampling(int maxTokensLimit, int defaultMaxTokens) {

    public record Names(String temperature, String topP, String maxTokens, String stop, String seed) { }

    public SamplingParams params(OptionalDouble temperature, double defaultTemperature, OptionalDouble topP,
                                 double defaultTopP, OptionalLong maxTokens, List<String> stop, OptionalLong seed,
                                 Names names) {
        int limit = maxTokens(maxTokens, names.maxTokens());
        try {
            SamplingParams params = new SamplingParams(temperature.orElse(defaultTemperature), topP.orElse(defaultTopP),
                    limit, stop, OptionalLong.empty());
            return seed.isPresent() ? params.withSeed(seed.getAsLong()) : params;
        } catch (InferenceException.InvalidRequest e) {
            String message = e.getMessage();
            String param = message.startsWith("temperature") ? names.temperature()
                    : message.startsWith("top_p") ? names.topP()
                    : message.contains("stop") ? names.stop()
                    : names.maxTokens();
            throw ApiError.invalid(param, message.replaceFirst("^(temperature|top_p)", param)).failure();
        }
    }

    private int maxTokens(OptionalLong asked, String param) {
        if (asked.isEmpty()) {
            return defaultMaxTokens;
        }
        long value = asked.getAsLong();
        if (value < 1) {
            throw ApiError.invalid(param, "'" + param + "' must be at least 1, got " + value).failure();
        }
        if (value > maxTokensLimit) {
            throw ApiError.invalid(param, "'" + param + "' is too large: " + value + "; this gateway generates at most "
                    + maxTokensLimit + " tokens per request").failure();
        }
        return (int) value;
    }
}
