package io.aixcl.models;

import java.util.Set;

/** The media types of registry manifests and of Ollama's model layers. */
final class MediaTypes {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String MODEL = "application/vnd.ollama.image.model";
    static final String PROJECTOR = "application/vnd.ollama.image.projector";
    static final String ADAPTER = "application/vnd.ollama.image.adapter";

    /** Layers that are GGUF files and so are validated before publishing. */
    static final Set<String> GGUF_LAYERS = Set.of(MODEL, PROJECTOR, ADAPTER);

    private MediaTypes() {}
}
