package io.aixcl.gateway.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Fields;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ollama's per-request {@code keep_alive}, read as Ollama reads it: a number of seconds, or a Go duration string
 * ({@code "5m"}, {@code "1h30m"}, {@code "0"}); a negative one keeps the model in memory for good. Anything else is a
 * 400 naming the parameter, where Ollama would fail the request too.
 */
final class KeepAlive {

    private static final String PARAM = "keep_alive";
    /** Go's {@code time.ParseDuration}: signed, one or more number-and-unit parts, or a bare zero. */
    private static final Pattern DURATION = Pattern.compile("[-+]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:ns|us|µs|μs|ms|s|m|h))+");
    private static final Pattern ZERO = Pattern.compile("[-+]?0");
    private static final Pattern PART = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    /** Go's durations are nanoseconds in 64 bits: about 292 years. */
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private KeepAlive() {
    }

    /** Empty when absent or null: the model's own keep-alive. */
    static Optional<Duration> of(JsonNode body) {
        JsonNode value = body.get(PARAM);
        if (Fields.absent(value)) {
            return Optional.empty();
        }
        if (value.isNumber()) {
            BigDecimal seconds = value.decimalValue();
            return Optional.of(seconds.signum() < 0 ? ModelSpec.KEEP_FOREVER : nanos(seconds.movePointRight(9)));
        }
        if (!value.isTextual()) {
            throw Fields.typeError(PARAM, "a number of seconds or a duration such as \"5m\"", value);
        }
        String text = value.textValue().strip();
        if (ZERO.matcher(text).matches()) {
            return Optional.of(Duration.ZERO);
        }
        if (!DURATION.matcher(text).matches()) {
            throw invalid();
        }
        BigDecimal total = BigDecimal.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            total = total.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unitNanos(part.group(2)))));
        }
        if (text.startsWith("-") && total.signum() > 0) {
            return Optional.of(ModelSpec.KEEP_FOREVER);
        }
        return Optional.of(nanos(total));
    }

    private static Duration nanos(BigDecimal nanos) {
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw ApiError.invalid(PARAM, "'keep_alive' is too long (at most about 292 years)").failure();
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L; // "h", the last the pattern allows
        };
    }

    /** The value is not repeated: an error message goes to the audit log, which keeps no request content. */
    private static ApiError.ApiFailure invalid() {
        return ApiError.invalid(PARAM, "'keep_alive' is not a duration: give a number of seconds, or a duration such "
                + "as \"5m\" or \"1h30m\" (negative: keep the model loaded)").failure();
    }
}
