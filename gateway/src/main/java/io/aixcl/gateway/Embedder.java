package io.aixcl.gateway;

import java.util.List;

/** A text embedding model served in process by the gateway ({@code /v1/embeddings}, {@code /api/embed}). */
public interface Embedder {

    /** The id clients name and listings show, e.g. {@code all-minilm}. */
    String modelId();

    /** Whether {@code model} names this embedder (its id or an alias such as {@code all-minilm:l6-v2}). */
    boolean serves(String model);

    int dimensions();

    /** The model's size on disk, for listings. */
    long sizeBytes();

    /** One vector per input, in order, and the tokens the inputs took. */
    Embeddings embed(List<String> inputs);

    /** @param vectors unit-length vectors of {@link #dimensions()} floats; not copied, so callers must not change them */
    record Embeddings(List<float[]> vectors, int promptTokens) {
        public Embeddings {
            vectors = List.copyOf(vectors);
            if (promptTokens < 0) {
                throw new IllegalArgumentException("negative token count");
            }
        }
    }
}
