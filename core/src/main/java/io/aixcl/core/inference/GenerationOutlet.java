package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;

/**
 * Where one generation's events go: its listener, then its completion future at the terminal event. A listener
 * that throws is logged, never allowed into the engine's I/O thread. Not thread-safe: the engine calls it in order
 * (under the generation's own lock), as the listener's contract requires.
 */
public final class GenerationOutlet {

    private static final System.Logger LOG = System.getLogger(GenerationOutlet.class.getName());

    private final String requestId;
    private final GenerationListener listener;
    private final CompletableFuture<Completion> completion = new CompletableFuture<>();

    public GenerationOutlet(String requestId, GenerationListener listener) {
        this.requestId = requestId;
        this.listener = requireNonNull(listener, "listener is null");
    }

    public CompletableFuture<Completion> completion() {
        return completion;
    }

    public void token(String text) {
        deliver(new GenerationEvent.Token(text));
    }

    /** Delivers the terminal event and settles the completion with it. */
    public void end(GenerationEvent terminal) {
        deliver(terminal);
        switch (terminal) {
            case GenerationEvent.Completed c -> completion.complete(c.completion());
            case GenerationEvent.Failed f -> completion.completeExceptionally(f.failure());
            case GenerationEvent.Token t -> throw new IllegalArgumentException("a token is not terminal");
        }
    }

    private void deliver(GenerationEvent event) {
        try {
            listener.on(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "generation listener of " + requestId + " failed", e);
        }
    }
}
