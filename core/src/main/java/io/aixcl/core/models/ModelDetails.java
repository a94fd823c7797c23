package io.aixcl.core.models;

import java.util.List;

/** {@code models show}: the summary, the blobs the manifest lists, and the model file's GGUF header. */
public record ModelDetails(ModelSummary summary, List<Layer> layers, GgufSummary gguf) {
    public ModelDetails {
        layers = List.copyOf(layers);
    }

    public record Layer(String mediaType, Digest digest, long sizeBytes) {}
}
