package io.aixcl.core.inference;

import java.util.concurrent.CompletableFuture;

/** A generation under way. */
public interface Generation {

    GenerationRequest request();

    /**
     * Stops the generation at the next token (a client went away) and frees its slot; a queued generation leaves
     * the queue. It then completes with {@link FinishReason#CANCELLED}. Cancelling a finished one does nothing.
     */
    void cancel();

    /** Completes with the completion, or exceptionally with an {@link InferenceException}. */
    CompletableFuture<Completion> completion();

    /** Waits for the end; throws the failure as it is. */
    default Completion await() {
        try {
            return completion().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof InferenceException failure) {
                throw failure;
            }
            throw e;
        }
    }
}
