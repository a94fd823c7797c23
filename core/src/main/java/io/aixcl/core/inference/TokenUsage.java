package io.aixcl.core.inference;

/** Tokens a generation consumed, for usage accounting and token budgets. */
public record TokenUsage(int promptTokens, int completionTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0);

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("negative token count");
        }
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
