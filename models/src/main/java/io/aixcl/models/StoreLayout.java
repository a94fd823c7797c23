package io.aixcl.models;

import io.aixcl.core.models.Digest;
import io.aixcl.core.models.ModelName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are in the store's folder (Ollama's layout, so an Ollama container could read it):
 * <pre>
 *   blobs/sha256-&lt;hex&gt;                              verified blobs
 *   blobs/partial/&lt;key&gt;, &lt;key&gt;.json, &lt;key&gt;.lock      downloads in progress: data, progress record, lock
 *   manifests/&lt;registry&gt;/&lt;namespace&gt;/&lt;name&gt;/&lt;tag&gt;   published models
 *   store.lock                                       serialises publish, remove and gc across processes
 * </pre>
 */
record StoreLayout(Path root) {

    static StoreLayout create(Path root) {
        var layout = new StoreLayout(root.toAbsolutePath().normalize());
        try {
            Files.createDirectories(layout.partials());
            Files.createDirectories(layout.manifests());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the model store in " + root + ": " + e.getMessage(), e);
        }
        return layout;
    }

    Path blobs() {
        return root.resolve("blobs");
    }

    Path partials() {
        return blobs().resolve("partial");
    }

    Path manifests() {
        return root.resolve("manifests");
    }

    Path storeLock() {
        return root.resolve("store.lock");
    }

    Path blob(Digest digest) {
        return blobs().resolve(digest.fileName());
    }

    Path manifest(ModelName name) {
        // Every part is validated by ModelName (no separators, no leading dot); the check below is a second guard.
        Path p = manifests().resolve(name.registry()).resolve(name.namespace()).resolve(name.name()).resolve(name.tag()).normalize();
        if (!p.startsWith(manifests())) {
            throw new IllegalArgumentException("manifest path escapes the store: " + name);
        }
        return p;
    }

    Path partialData(String key) {
        return partials().resolve(key);
    }

    Path partialRecord(String key) {
        return partials().resolve(key + ".json");
    }

    Path partialLock(String key) {
        return partials().resolve(key + ".lock");
    }
}
