package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.gateway.Embedder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** Every model a key may name: the backends' models and the in-process embedder, filtered by the key. */
public final class Catalog {

    private final InferenceBackends backends;
    private final Admission admission;
    private final ServedModel embedderModel;

    public Catalog(InferenceBackends backends, Admission admission, Embedder embedder, Instant embedderSince) {
        this.backends = requireNonNull(backends, "backends is null");
        this.admission = requireNonNull(admission, "admission is null");
        this.embedderModel = new ServedModel(embedder.modelId(), "gateway", embedder.sizeBytes(), embedderSince, "",
                "bert", 22_700_000L, "F32", OptionalLong.of(256));
    }

    public ServedModel embedderModel() {
        return embedderModel;
    }

    /** The models the key may use, sorted by id; refuses a missing or bad key. */
    public List<ServedModel> visible(Call call) {
        admission.authenticate(call.key(), call.record());
        List<ServedModel> all = new ArrayList<>(ask(backends::models));
        // The gateway serves its embedder's name itself, even when the backend (another aixcl gateway) lists it too.
        all.removeIf(model -> model.id().equals(embedderModel.id()));
        all.add(embedderModel);
        all.sort(Comparator.comparing(ServedModel::id));
        List<String> ids = new ArrayList<>(all.size());
        for (ServedModel model : all) {
            ids.add(model.id());
        }
        Set<String> visible = new HashSet<>(admission.allowed(call.key(), ids));
        all.removeIf(model -> !visible.contains(model.id()));
        return all;
    }

    /** Refuses a missing or bad key, asking the backends nothing. */
    public void authenticate(Call call) {
        admission.authenticate(call.key(), call.record());
    }

    /** An upstream that cannot list (down, or refusing this gateway's key) is the client's 503, not a 500. */
    private static <T> List<T> ask(java.util.function.Supplier<List<T>> question) {
        try {
            return question.get();
        } catch (InferenceException e) {
            throw EngineErrors.toApiError(e, "").failure();
        }
    }

    /** One model, if it exists and the key may use it; both cases look the same to the client. */
    public Optional<ServedModel> find(Call call, String id) {
        call.record().target(id);
        return visible(call).stream().filter(model -> model.id().equals(id)).findFirst();
    }

    /** Resident models the key may see, with their descriptions. */
    public List<Resident> resident(Call call) {
        List<ServedModel> visible = visible(call);
        List<Resident> resident = new ArrayList<>();
        for (ModelStatus status : ask(backends::resident)) {
            for (ServedModel model : visible) {
                if (model.id().equals(status.id()) && status.resident()) {
                    resident.add(new Resident(model, status));
                }
            }
        }
        return resident;
    }

    public record Resident(ServedModel model, ModelStatus status) { }
}
