package io.aixcl.gateway.inference;

import java.io.IOException;

/** How a protocol answers, whole or streamed, without knowing the HTTP server. */
public interface ResponseChannel {

    /** Sends a whole JSON response. */
    void json(int status, byte[] body) throws IOException;

    /** Commits a 200 streamed response of {@code contentType}; chunks follow. */
    void startStream(String contentType) throws IOException;

    /** Sends one chunk now (a token must reach the client as soon as it exists). Fails when the client went away. */
    void chunk(byte[] bytes) throws IOException;

    /** Runs {@code action} if the HTTP layer learns the client went away while nothing is being written. */
    void onClientGone(Runnable action);
}
