package io.aixcl.gateway;

import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.engine.llama.EmbeddedEngine;
import io.aixcl.engine.llama.EmbeddedEngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * A real embedded llama.cpp engine serving the tiny model twice: {@code tiny} (2 at once, 4 queued) and
 * {@code solo} (1 at once, none queued, long context: for busy and cancellation tests).
 */
final class EmbeddedBackends implements InferenceBackends, AutoCloseable {

    static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");

    private final EmbeddedEngine engine;

    EmbeddedBackends(Path runtime) {
        Path model = TestModels.tinyLlama();
        engine = new EmbeddedEngine(EmbeddedEngineConfig.defaults(runtime).withThreads(1)
                .withKeepAliveSweep(Duration.ofMillis(200)));
        engine.start();
        engine.load(ModelSpec.of("tiny", model).withContextTokens(512).withLimits(2, 4));
        engine.load(ModelSpec.of("solo", model).withContextTokens(4096).withLimits(1, 0));
    }

    @Override
    public List<ServedModel> models() {
        return List.of(served("solo"), served("tiny"));
    }

    private static ServedModel served(String id) {
        return new ServedModel(id, "embedded", 1_750_000, MODIFIED, "ab".repeat(32), "llama", 6_200_000, "F16",
                OptionalLong.of(2048));
    }

    @Override
    public InferenceEngine engineFor(String modelId) {
        if (!modelId.equals("tiny") && !modelId.equals("solo")) {
            throw new InferenceException.ModelNotFound(modelId);
        }
        return engine;
    }

    @Override
    public List<ModelStatus> resident() {
        return engine.models();
    }

    @Override
    public void close() {
        engine.close();
    }
}
