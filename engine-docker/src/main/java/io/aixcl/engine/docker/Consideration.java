package io.aixcl.engine.docker;

/** One discovery strategy as it was tried, and what came of it. */
public record Consideration(int priority, String strategy, String outcome) {
    @Override
    public String toString() {
        return strategy + " [" + priority + "]: " + outcome;
    }
}
