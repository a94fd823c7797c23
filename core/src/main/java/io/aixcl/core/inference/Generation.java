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

    /**
     * Stops reading the engine's output until {@link #resume}: the client is not reading, so what the engine produces
     * meanwhile waits in the engine's connection rather than in the daemon's memory, and the engine's idle deadline
     * does not run (the stall is the client's). An engine whose output cannot wait does nothing here.
     */
    default void pause() {
    }

    /** Reads the engine's output again after {@link #pause}. */
    default void resume() {
    }

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
