package io.aixcl.models;

import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelName;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a pull will fetch: each blob with its media type, expected digest (absent only for a hub file whose digest
 * the hub did not say), size (-1 when unknown) and where it comes from. {@code registryConfig} marks the first
 * item as the upstream manifest's config; otherwise a config describing the GGUF file is written after download.
 */
record PullPlan(ModelName name, List<Item> items, boolean registryConfig) {

    sealed interface Source {
        record Remote(URI uri, boolean allowInsecureHttp) implements Source {}

        record LocalFile(Path path) implements Source {}
    }

    record Item(String mediaType, Optional<Digest> digest, long size, Source source, String label) {
        /** The partial download's file name: the digest's, or a hash of the URL when no digest is known yet. */
        String partialKey() {
            if (digest.isPresent()) {
                return digest.get().fileName();
            }
            String from = source instanceof Source.Remote r ? r.uri().toString() : source.toString();
            return "url-" + Digest.ofBytes(Hashing.sha256().digest(from.getBytes(java.nio.charset.StandardCharsets.UTF_8))).hex().substring(0, 32);
        }
    }

    PullPlan {
        items = List.copyOf(items);
    }
}
