package io.aixcl.core.inference;

import java.util.List;

/**
 * The port to an inference engine: an embedded llama.cpp in a supervised child process, Ollama, or any
 * OpenAI-compatible upstream. The gateway speaks only to this interface.
 *
 * <p>Models are registered with {@link #load}; a registered model may be evicted from memory when it idles past
 * its keep-alive or when the engine restarts, and is brought back on demand by the next generation for it. Only
 * {@link #unload} forgets a model.
 *
 * <p>Failures are {@link InferenceException}s: {@code Busy} when a model's concurrency limit and queue are full,
 * {@code ModelNotFound} for a model never loaded (or unloaded), {@code LoadFailed} when a model file cannot be
 * loaded, {@code EngineUnavailable} when the engine is stopped, crashed or restarting, {@code InvalidRequest}
 * for a request the engine cannot serve. Cancellation is not a failure: a cancelled generation completes with
 * {@link FinishReason#CANCELLED} and the tokens counted so far.
 */
public interface InferenceEngine extends AutoCloseable {

    /** Starts the engine and waits until it is ready; throws EngineUnavailable when it cannot start. */
    void start();

    EngineState state();

    /**
     * Registers {@code model} and makes it resident, waiting for the load. Loading a model already registered
     * under the same spec refreshes its keep-alive; under a different spec, replaces it.
     */
    ModelStatus load(ModelSpec model);

    /** Forgets {@code modelId}: its running generations are cancelled, queued ones fail, its memory is freed. */
    void unload(String modelId);

    /** Every registered model, resident or not. */
    List<ModelStatus> models();

    /**
     * Keeps the registered {@code modelId} in memory for {@code keepAlive} from now, or until a generation sets its
     * own (Ollama's load request with a {@code keep_alive}); {@link ModelSpec#KEEP_FOREVER} for good. Engines that do
     * not manage memory (an OpenAI-compatible server) ignore it.
     */
    default void keep(String modelId, java.time.Duration keepAlive) {
    }

    /**
     * What an engine that keeps its own models (an upstream: Ollama, an OpenAI-compatible server) can serve, by its
     * own listing; a model must still be {@link #load registered} before a generation names it. Empty for engines
     * that load model files from the store.
     */
    default List<ServedModel> available() {
        return List.of();
    }

    /**
     * Starts a generation and returns at once. {@code listener} receives the tokens as they come, then exactly
     * one terminal event; it is called on the engine's I/O thread and must not block (hand the events off, or
     * use {@link #stream}). Throws Busy, synchronously, when the model's slots and queue are full, so the
     * caller can refuse the request before it has answered anything.
     */
    Generation generate(GenerationRequest request, GenerationListener listener);

    /** A generation read by blocking iteration: for a caller that has a thread per request (virtual threads). */
    default GenerationStream stream(GenerationRequest request) {
        GenerationStream stream = new GenerationStream();
        stream.attach(generate(request, stream));
        return stream;
    }

    /** Generates to the end and returns the whole text; throws the failure, if any. */
    default Completion complete(GenerationRequest request) {
        return generate(request, event -> { }).await();
    }

    /** Stops the engine: running generations fail with EngineUnavailable, models are freed. */
    @Override
    void close();
}
