package io.aixcl.engine.http;

import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.ModelSpec;

/** How one upstream API frames a generation: the request sent, and how the answer is read. Stateless. */
interface UpstreamApi {

    /** Who the upstream is, for messages ("OpenAI-compatible upstream", "Ollama"). */
    String name();

    /** The path {@code start()} polls until the upstream answers 200. */
    String readinessPath();

    /** The path a generation is POSTed to. */
    String generationPath(GenerationRequest request);

    /** The Accept header of a generation: the streaming type first. */
    String accept();

    /** The JSON body of a generation, streaming asked for. */
    byte[] generationBody(GenerationRequest request, ModelSpec spec);

    /** A decoder for a 2xx answer of {@code contentType} (may be null); throws for a type it cannot read. */
    ResponseDecoder decoder(GenerationRequest request, String contentType);
}
