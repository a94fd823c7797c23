package io.aixcl.models;

import io.aixcl.core.models.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model's manifest, in the registry's own format (Docker/OCI image manifest, schema 2) so the store's layout is
 * the one Ollama uses. {@code config} is optional: a GGUF file from Hugging Face or a URL has none upstream.
 */
record Manifest(String mediaType, Optional<Layer> config, List<Layer> layers) {

    record Layer(String mediaType, Digest digest, long size) {}

    Manifest {
        layers = List.copyOf(layers);
    }

    /** Every blob the manifest names: the config first, then the layers. */
    List<Layer> blobs() {
        var all = new ArrayList<Layer>();
        config.ifPresent(all::add);
        all.addAll(layers);
        return all;
    }

    /** The model weights: the first model layer. */
    Layer modelLayer() {
        return layers.stream().filter(l -> l.mediaType().equals(MediaTypes.MODEL)).findFirst()
                .orElseThrow(() -> new IllegalStateException("manifest without a model layer"));
    }

    long totalSize() {
        return blobs().stream().mapToLong(Layer::size).sum();
    }
}
