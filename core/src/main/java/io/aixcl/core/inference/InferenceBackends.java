package io.aixcl.core.inference;

import java.util.List;

/**
 * What the gateway serves: the models clients can name and the engine behind each (embedded llama.cpp, the
 * stack's Ollama, an OpenAI-compatible URL). The gateway speaks only to this and to {@link InferenceEngine}.
 */
public interface InferenceBackends {

    /** Every model a client can name, sorted by id. */
    List<ServedModel> models();

    /**
     * The engine that serves {@code modelId}, with the model registered on it (loaded on demand). Throws
     * {@link InferenceException.ModelNotFound} for a model no engine serves, EngineUnavailable when its engine is
     * down.
     */
    InferenceEngine engineFor(String modelId);

    /**
     * Whether {@link #engineFor} would answer {@code modelId} at once: its engine is connected and the model registered
     * there, so nothing is loaded, registered or connected. The gateway serves such a whole generation on the thread
     * that read the request (no thread hop); anything else, it moves to a thread that may block. False when unsure.
     */
    default boolean ready(String modelId) {
        return false;
    }

    /** Models in memory now, across engines (for {@code /api/ps}). */
    List<ModelStatus> resident();

    /**
     * Frees {@code modelId}'s memory now if it is in memory and idle (Ollama's {@code keep_alive: 0} without a
     * prompt); a model that is generating keeps its keep-alive, so one client cannot cut off another's generation.
     * Loads nothing. Backends that do not manage memory ignore it.
     */
    default void release(String modelId) {
    }
}
