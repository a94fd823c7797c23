package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

/** The end of a generation: all of its text, why it ended, and what it cost. */
public record Completion(String text, FinishReason finishReason, TokenUsage usage) {

    public Completion {
        requireNonNull(text, "text is null");
        requireNonNull(finishReason, "finishReason is null");
        requireNonNull(usage, "usage is null");
    }
}
