package io.aixcl.core.models;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The models every engine serves: content-addressed blobs plus manifests. A model is visible only once every blob
 * it names is present and verified; failures are {@link io.aixcl.core.AixclException}s whose messages say what
 * went wrong precisely enough to act on.
 */
public interface ModelStore extends AutoCloseable {

    /** Complete models, sorted by name. */
    List<ModelSummary> list();

    /** Details of one model, with its parsed GGUF header; {@code NotFound} when it is not in the store. */
    ModelDetails show(ModelName name);

    /** The GGUF file engines load for {@code name}; {@code NotFound} when absent. */
    Path modelFile(ModelName name);

    /**
     * The GGUF file of the complete model named exactly {@code name}, or empty when {@link #list} does not have it:
     * for a caller that asks at every request (a removed model must stop being served), without listing the store.
     */
    default Optional<Path> servedFile(ModelName name) {
        return list().stream().anyMatch(s -> s.name().equals(name)) ? Optional.of(modelFile(name)) : Optional.empty();
    }

    /**
     * Fetches (or imports) a model and publishes it once every blob is verified. Blocks until done; progress goes
     * to {@code listener} (called from download threads; keep it quick). Interrupting the calling thread cancels
     * the wait and leaves partial downloads on disk for a later pull to resume.
     */
    PullResult pull(PullRequest request, PullListener listener);

    /** Removes the model's manifest; its blobs stay until {@link #gc} finds no manifest using them. */
    void remove(ModelName name);

    GcReport gc(GcOptions options);

    /** Stops downloads in flight; their partial state stays on disk. */
    @Override
    void close();
}
