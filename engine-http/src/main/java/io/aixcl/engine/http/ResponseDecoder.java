package io.aixcl.engine.http;

import java.nio.ByteBuffer;

/**
 * Reads one successful generation response as it arrives. Throws an {@code InferenceException} (usually
 * EngineUnavailable naming what was malformed) when the upstream breaks its protocol or reports an error mid-stream.
 */
interface ResponseDecoder {

    void decode(ByteBuffer chunk, GenerationSink sink);

    /** The body ended; whatever was held back is decoded now. */
    void end(GenerationSink sink);
}
