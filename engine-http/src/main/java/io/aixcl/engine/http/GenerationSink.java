package io.aixcl.engine.http;

import io.aixcl.core.inference.FinishReason;

/** Where a response decoder puts what it reads; the generation turns it into events. */
interface GenerationSink {

    /** A piece of generated text; empty pieces (a role-only delta) are ignored. */
    void token(String text);

    void finish(FinishReason reason);

    /**
     * What the upstream says the generation cost; a negative count is unknown and is estimated (prompt) or counted
     * (completion). Without any usage the generation counts and estimates both.
     */
    void usage(int promptTokens, int completionTokens);
}
