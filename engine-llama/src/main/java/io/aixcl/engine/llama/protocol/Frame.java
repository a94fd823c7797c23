package io.aixcl.engine.llama.protocol;

import java.util.List;

/**
 * The messages between the engine (parent) and its worker process. Requests carry a {@code call} id that the
 * worker echoes in every answer, so one connection carries loads and many generations at once.
 *
 * <p>Plain types only: the worker's classpath is this module and llama.cpp, nothing of the domain.
 */
public sealed interface Frame {

    /** Parent to worker. */
    sealed interface ToWorker extends Frame { }

    /** Worker to parent. */
    sealed interface ToParent extends Frame { }

    record Load(long call, String modelId, String path, int contextTokens, int parallel, int threads)
            implements ToWorker { }

    record Unload(long call, String modelId) implements ToWorker { }

    /** {@code messages} is empty for a raw-text prompt, {@code prompt} empty for a chat. */
    record Generate(long call, String modelId, String prompt, List<Message> messages, double temperature,
            double topP, int maxTokens, List<String> stop, boolean seeded, long seed) implements ToWorker {
        public Generate {
            messages = List.copyOf(messages);
            stop = List.copyOf(stop);
        }
    }

    record Message(String role, String content) { }

    /** Stop generation {@code call} at its next token. */
    record Cancel(long call) implements ToWorker { }

    /** Close every model and exit. */
    record Shutdown() implements ToWorker { }

    /** First frame from a worker: proves which process connected. */
    record Hello(long pid) implements ToParent { }

    record Loaded(long call) implements ToParent { }

    record Unloaded(long call) implements ToParent { }

    record Token(long call, String text) implements ToParent { }

    record Done(long call, String finishReason, int promptTokens, int completionTokens) implements ToParent { }

    enum FailureKind { LOAD, REQUEST, INTERNAL }

    record Failed(long call, FailureKind kind, String message) implements ToParent { }
}
