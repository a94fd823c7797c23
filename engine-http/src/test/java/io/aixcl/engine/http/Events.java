package io.aixcl.engine.http;

import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationListener;
import java.util.ArrayList;
import java.util.List;

/** A listener that keeps every event, for assertions on order and content. */
final class Events implements GenerationListener {

    private final List<GenerationEvent> events = new ArrayList<>();

    @Override
    public synchronized void on(GenerationEvent event) {
        events.add(event);
        notifyAll();
    }

    synchronized List<GenerationEvent> all() {
        return List.copyOf(events);
    }

    synchronized List<String> tokens() {
        return events.stream().filter(e -> e instanceof GenerationEvent.Token)
                .map(e -> ((GenerationEvent.Token) e).text()).toList();
    }

    /** Waits until {@code n} tokens came (or fails after 5 s). */
    synchronized void awaitTokens(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (tokens().size() < n) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("expected " + n + " tokens, got " + new ArrayList<>(events));
            }
            wait(left);
        }
    }
}
