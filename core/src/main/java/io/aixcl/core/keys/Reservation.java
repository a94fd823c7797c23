package io.aixcl.core.keys;

import io.aixcl.core.inference.TokenUsage;

/**
 * Tokens held for one granted request. Exactly one of {@link #settle} and {@link #close} takes effect; later calls
 * do nothing, so a caller may always close in a finally block after settling.
 */
public interface Reservation extends AutoCloseable {

    /** The key's id, for usage records and the audit entry. */
    String keyId();

    /** Replaces the reservation by what the request really used: counted in usage and against the budget. */
    void settle(TokenUsage used);

    /** Gives the reservation back unspent (the request failed before the engine did any work). */
    @Override
    void close();
}
