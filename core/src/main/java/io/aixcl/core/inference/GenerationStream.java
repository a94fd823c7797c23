package io.aixcl.core.inference;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Turns a generation's events into a blocking iterator, for a handler that owns a (virtual) thread: the engine's
 * I/O thread only enqueues, so a slow client never stalls other generations. Closing it cancels the generation,
 * so {@code try (var s = engine.stream(r)) { ... }} frees the slot however the handler leaves.
 */
public final class GenerationStream implements GenerationListener, Iterable<GenerationEvent>, AutoCloseable {

    // Unbounded, but a generation is bounded by its max tokens.
    private final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private volatile Generation generation;
    private boolean ended;

    void attach(Generation value) {
        generation = value;
    }

    public Generation generation() {
        return generation;
    }

    @Override
    public void on(GenerationEvent event) {
        events.add(event);
    }

    /** The next event, waiting for it; after the terminal event, throws NoSuchElementException. */
    public GenerationEvent next() throws InterruptedException {
        if (ended) {
            throw new NoSuchElementException("the generation has ended");
        }
        GenerationEvent event = events.take();
        ended = event.terminal();
        return event;
    }

    /** The next event if one is waiting, else null (also after the terminal event). */
    public GenerationEvent poll() {
        if (ended) {
            return null;
        }
        GenerationEvent event = events.poll();
        if (event != null) {
            ended = event.terminal();
        }
        return event;
    }

    @Override
    public Iterator<GenerationEvent> iterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !ended;
            }

            @Override
            public GenerationEvent next() {
                try {
                    return GenerationStream.this.next();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelGeneration();
                    throw new InferenceException.EngineUnavailable("interrupted while waiting for a token", e);
                }
            }
        };
    }

    @Override
    public void close() {
        if (!ended) {
            cancelGeneration();
        }
    }

    private void cancelGeneration() {
        Generation g = generation;
        if (g != null) {
            g.cancel();
        }
    }
}
