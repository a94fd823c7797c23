package io.aixcl.audit;

import java.io.IOException;

/** The log does not match what was witnessed, so the store will not open it (and the daemon will not start). */
public final class AuditLogRefusedException extends IOException {

    private final Verification.Invalid invalid;

    public AuditLogRefusedException(Verification.Invalid invalid, String advice) {
        super("the audit log failed verification at entry " + invalid.firstBadIndex() + ": " + invalid.reason()
                + ". " + advice);
        this.invalid = invalid;
    }

    public Verification.Invalid invalid() {
        return invalid;
    }
}
