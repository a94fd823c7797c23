package io.aixcl.engine.http;

import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceEngine;

/** What both HTTP engines do alike: lifecycle and generations over their {@link Upstream}. */
abstract sealed class HttpEngine implements InferenceEngine permits OpenAiCompatibleEngine, OllamaEngine {

    final Upstream upstream;

    HttpEngine(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Polls the upstream's readiness path until it answers 200, for at most the configured start timeout. */
    @Override
    public void start() {
        upstream.start();
    }

    @Override
    public EngineState state() {
        return upstream.state();
    }

    /**
     * Streams the generation from the upstream; see {@link InferenceEngine#generate}. Busy is thrown here when
     * the model's slots and queue are full, before anything is sent.
     */
    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        return upstream.generate(request, listener);
    }

    @Override
    public void close() {
        upstream.close();
    }
}
