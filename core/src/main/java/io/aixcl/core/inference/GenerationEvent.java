package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

/** What a generation reports: any number of tokens, then exactly one of Completed or Failed. */
public sealed interface GenerationEvent {

    /** A piece of text as the model produced it (one token, or a few when a stop sequence was held back). */
    record Token(String text) implements GenerationEvent {
        public Token {
            requireNonNull(text, "text is null");
        }
    }

    record Completed(Completion completion) implements GenerationEvent {
        public Completed {
            requireNonNull(completion, "completion is null");
        }
    }

    record Failed(InferenceException failure) implements GenerationEvent {
        public Failed {
            requireNonNull(failure, "failure is null");
        }
    }

    default boolean terminal() {
        return !(this instanceof Token);
    }
}
