package io.aixcl.core.orchestrate;

import io.aixcl.core.AixclException;

/** Checked between steps of a long operation; set when the client goes away (Ctrl-C) or the daemon stops. */
public final class Cancellation {
    private volatile String reason;

    public void cancel(String why) {
        reason = why;
    }

    public boolean cancelled() {
        return reason != null;
    }

    public void check() {
        String r = reason;
        if (r != null) {
            throw new AixclException.Cancelled("cancelled: " + r);
        }
    }
}
