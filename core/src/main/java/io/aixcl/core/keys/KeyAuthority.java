package io.aixcl.core.keys;

/**
 * Decides whether a presented inference key may run a request, and holds what the request may spend until it
 * settles. Implementations reserve atomically, so concurrent requests under one key can never together exceed its
 * rate limits or its token budget.
 */
public interface KeyAuthority {

    /**
     * @param presented the key exactly as the client sent it (without the {@code Bearer } prefix); may be empty
     * @param model the model the request names
     * @param reserveTokens the most tokens the request can consume (prompt estimate plus its completion limit);
     *     reserved against the key's tokens-per-minute limit and budget until {@link Reservation#settle}
     */
    KeyDecision authorize(String presented, String model, long reserveTokens);

    /**
     * For model listings: whether a request with this key could name this model, by the key's standing (known,
     * neither revoked nor expired) and its allowlist alone; no limit is checked and nothing is reserved. The default
     * allows nothing, so an implementation that does not say fails closed.
     */
    default boolean allows(String presented, String model) {
        return false;
    }
}
