package io.aixcl.core.models;

/** Receives a pull's events, in order per blob; called from download threads, so it must be quick and thread-safe. */
@FunctionalInterface
public interface PullListener {
    void on(PullEvent event);

    PullListener NONE = event -> {};
}
