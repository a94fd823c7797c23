package io.aixcl.gateway.inference;

import java.io.IOException;
import java.time.Duration;

/**
 * A stream's client took nothing for the gateway's write timeout: it is cut off (its generation ends, its connection
 * closes) rather than holding a model slot and an upstream connection for as long as it does not read.
 */
public final class ClientStalled extends IOException {

    private final Duration waited;

    public ClientStalled(Duration waited) {
        super("the client took nothing for " + waited.toMillis() + " ms");
        this.waited = waited;
    }

    public Duration waited() {
        return waited;
    }
}
