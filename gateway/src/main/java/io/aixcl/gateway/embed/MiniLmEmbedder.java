package io.aixcl.gateway.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.aixcl.gateway.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * all-MiniLM-L6-v2 (384 dimensions) on ONNX Runtime, in process. The model ships inside its Maven artifact, so
 * nothing is downloaded. It is loaded on first use (about 90 MB and a second of CPU), so a gateway that never
 * embeds pays nothing.
 */
public final class MiniLmEmbedder implements Embedder {

    public static final String MODEL_ID = "all-minilm";
    private static final Set<String> NAMES = Set.of(MODEL_ID, "all-minilm:l6-v2", "all-minilm:latest");
    private static final long SIZE_BYTES = 90_387_606L;

    private volatile AllMiniLmL6V2EmbeddingModel model;

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public boolean serves(String name) {
        return NAMES.contains(name);
    }

    @Override
    public int dimensions() {
        return 384;
    }

    @Override
    public long sizeBytes() {
        return SIZE_BYTES;
    }

    @Override
    public Embeddings embed(List<String> inputs) {
        List<TextSegment> segments = new ArrayList<>(inputs.size());
        for (String input : inputs) {
            segments.add(TextSegment.from(input));
        }
        Response<List<Embedding>> response = model().embedAll(segments);
        List<float[]> vectors = new ArrayList<>(inputs.size());
        for (Embedding embedding : response.content()) {
            vectors.add(embedding.vector());
        }
        Integer tokens = response.tokenUsage() == null ? null : response.tokenUsage().inputTokenCount();
        return new Embeddings(vectors, tokens == null ? 0 : tokens);
    }

    private AllMiniLmL6V2EmbeddingModel model() {
        AllMiniLmL6V2EmbeddingModel loaded = model;
        if (loaded == null) {
            synchronized (this) {
                loaded = model;
                if (loaded == null) {
                    // Runnable::run: batches are embedded on the caller's (virtual) thread, not on a pool of its own.
                    loaded = new AllMiniLmL6V2EmbeddingModel(Runnable::run);
                    model = loaded;
                }
            }
        }
        return loaded;
    }
}
