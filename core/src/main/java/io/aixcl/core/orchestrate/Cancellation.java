package io.aixcl.core.orchestrate;

import io.aixcl.core.AixclException;

/**
 * Checked between steps of a long operation; set when the client goes away (Ctrl-C) or the daemon stops. A child
 * is cancelled with its parent, but cancelling a child (one failed service stopping a start) leaves the parent
 * alone, so the caller can still report the failure.
 */
public final class Cancellation {
    private final Cancellation parent;
    private volatile String reason;

    public Cancellation() {
        this(null);
    }

    private Cancellation(Cancellation parent) {
        this.parent = parent;
    }

    public Cancellation child() {
        return new Cancellation(this);
    }

    public void cancel(String why) {
        reason = why;
    }

    public boolean cancelled() {
        return reason() != null;
    }

    private String reason() {
        String r = reason;
        return r != null ? r : parent == null ? null : parent.reason();
    }

    public void check() {
        String r = reason();
        if (r != null) {
            throw new AixclException.Cancelled("cancelled: " + r);
        }
    }
}
