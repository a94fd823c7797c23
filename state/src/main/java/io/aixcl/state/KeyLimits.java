package io.aixcl.state;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** What a key may spend; an empty limit is none. */
public record KeyLimits(OptionalInt requestsPerMinute, OptionalInt tokensPerMinute, OptionalLong budgetTokens) {
    public static final KeyLimits NONE = new KeyLimits(OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty());

    public KeyLimits {
        Objects.requireNonNull(requestsPerMinute, "requestsPerMinute is null");
        Objects.requireNonNull(tokensPerMinute, "tokensPerMinute is null");
        Objects.requireNonNull(budgetTokens, "budgetTokens is null");
        if (requestsPerMinute.orElse(1) <= 0 || tokensPerMinute.orElse(1) <= 0 || budgetTokens.orElse(1) <= 0) {
            throw new IllegalArgumentException("a limit must be positive: " + requestsPerMinute + ", "
                    + tokensPerMinute + ", " + budgetTokens);
        }
    }
}
