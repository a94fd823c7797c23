package io.aixcl.core.inference;

@FunctionalInterface
public interface GenerationListener {

    /** Called in order, on one thread at a time; must not block. */
    void on(GenerationEvent event);
}
