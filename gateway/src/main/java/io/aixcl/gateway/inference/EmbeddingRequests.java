package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.TokenUsage;
import io.aixcl.core.keys.Reservation;
import io.aixcl.gateway.Embedder;
import java.util.List;
import java.util.Optional;

/** Runs one embedding request for a client, whatever its protocol: admits the key, embeds, settles. */
public final class EmbeddingRequests {

    /** OpenAI's own limit on inputs per request. */
    public static final int MAX_INPUTS = 2048;

    private final Admission admission;
    private final Embedder embedder;

    public EmbeddingRequests(Admission admission, Embedder embedder) {
        this.admission = requireNonNull(admission, "admission is null");
        this.embedder = requireNonNull(embedder, "embedder is null");
    }

    public Embedder embedder() {
        return embedder;
    }

    /** @param inputParam the request's name for the inputs, for error messages */
    public Embedder.Embeddings embed(String presentedKey, String model, List<String> inputs, String inputParam,
                                     RequestRecord record) {
        record.target(model);
        if (inputs.isEmpty()) {
            throw ApiError.invalid(inputParam, "'" + inputParam + "' must not be empty").failure();
        }
        if (inputs.size() > MAX_INPUTS) {
            throw ApiError.invalid(inputParam, "'" + inputParam + "' holds " + inputs.size()
                    + " inputs; at most " + MAX_INPUTS + " are allowed per request").failure();
        }
        long estimate = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).isEmpty()) {
                String param = inputs.size() == 1 ? inputParam : inputParam + "[" + i + "]";
                throw ApiError.invalid(param, "'" + param + "' must not be an empty string").failure();
            }
            estimate += TokenEstimate.ofText(inputs.get(i));
        }
        try (Reservation reservation = admission.admit(presentedKey, model, estimate, record)) {
            if (!embedder.serves(model)) {
                throw new ApiError(ErrorKind.NOT_FOUND, "the model '" + model + "' does not exist or cannot embed; "
                        + "this gateway embeds with '" + embedder.modelId() + "'", "model", "model_not_found",
                        Optional.empty()).failure();
            }
            Embedder.Embeddings embeddings = embedder.embed(inputs);
            TokenUsage usage = new TokenUsage(embeddings.promptTokens(), 0);
            reservation.settle(usage);
            record.usage(usage);
            return embeddings;
        }
    }
}
