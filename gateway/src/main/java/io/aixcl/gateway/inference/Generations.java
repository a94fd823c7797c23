package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.keys.Reservation;
import io.aixcl.gateway.Embedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Runs one generation for a client, whatever its protocol: admits the key, finds the engine, streams or waits,
 * settles the reservation with the engine's real usage, and cancels the generation when the client goes away.
 * Errors before anything was sent are thrown ({@link ApiError.ApiFailure}) so they get their own status.
 */
public final class Generations {

    private final InferenceBackends backends;
    private final Admission admission;
    private final Embedder embedder;

    public Generations(InferenceBackends backends, Admission admission, Embedder embedder) {
        this.backends = requireNonNull(backends, "backends is null");
        this.admission = requireNonNull(admission, "admission is null");
        this.embedder = requireNonNull(embedder, "embedder is null");
    }

    /**
     * May be called on the I/O thread that read the request: a generation on a ready engine never blocks (a whole
     * answer is written from the engine's completion, a stream from its events: {@link StreamRelay}); a model the
     * engine must first load or register moves to a thread that may block ({@link ResponseChannel#blocking}), and
     * streams from there as it always did.
     */
    public void serve(String presentedKey, String requestId, Generate generate, StreamFormat format,
                      ResponseChannel channel, RequestRecord record) throws IOException {
        record.target(generate.model());
        record.stream(generate.stream());
        if (embedder.serves(generate.model())) {
            throw ApiError.invalid("model", "the model '" + generate.model()
                    + "' is an embedding model; it cannot generate text").failure();
        }
        if (backends.ready(generate.model())) {
            admitted(presentedKey, requestId, generate, format, channel, record);
        } else {
            channel.blocking(() -> admitted(presentedKey, requestId, generate, format, channel, record));
        }
    }

    private void admitted(String presentedKey, String requestId, Generate generate, StreamFormat format,
                          ResponseChannel channel, RequestRecord record) throws IOException {
        Reservation reservation = admission.admit(presentedKey, generate.model(), generate.reserveTokens(), record);
        boolean handedOver = false;
        try {
            GenerationRequest request = new GenerationRequest(requestId, generate.model(), generate.prompt(),
                    generate.params(), generate.keepAlive());
            // A stream is always relayed from the engine's own callbacks, also when it was asked for on a thread that
            // may block (the embedded engine, a model to register first): written from that thread, a token cost a
            // wake-up of the stream's thread and then of the loop, each preempting the engine's compute threads.
            if (generate.stream()) {
                relay(request, format, channel, record, reservation);
                handedOver = true;
            } else {
                whole(request, format, channel, record, reservation);
                handedOver = true;
            }
        } finally {
            if (!handedOver) {
                reservation.close();
            }
        }
    }

    /**
     * Ollama's load-only request: the key may use the model and an engine serves it; nothing is generated. With its
     * own {@code keep_alive}, the model stays in memory that long (until a generation sets its own).
     */
    public void preload(String presentedKey, String model, Optional<Duration> keepAlive, RequestRecord record) {
        record.target(model);
        try (Reservation reservation = admission.admit(presentedKey, model, 0, record)) {
            if (!embedder.serves(model)) {
                InferenceEngine engine = engine(model);
                if (keepAlive.isPresent()) {
                    try {
                        engine.keep(model, keepAlive.get());
                    } catch (InferenceException e) {
                        throw EngineErrors.toApiError(e, model).failure();
                    }
                }
            }
        }
    }

    /** Ollama's unload request ({@code keep_alive: 0}, no prompt): the key may use the model; nothing is loaded. */
    public void release(String presentedKey, String model, RequestRecord record) {
        record.target(model);
        try (Reservation reservation = admission.admit(presentedKey, model, 0, record)) {
            if (!embedder.serves(model)) {
                try {
                    backends.release(model);
                } catch (InferenceException e) {
                    throw EngineErrors.toApiError(e, model).failure();
                }
            }
        }
    }

    /**
     * Starts the generation and returns: the answer is written by whichever thread completes it (the engine's), and
     * the reservation is settled or given back then. No thread waits for the engine (a parked and resumed thread per
     * request cost more than the rest of a proxied request).
     */
    private void whole(GenerationRequest request, StreamFormat format, ResponseChannel channel, RequestRecord record,
                       Reservation reservation) {
        Generation generation;
        try {
            generation = engine(request.modelId()).generate(request, event -> { });
        } catch (InferenceException e) {
            throw EngineErrors.toApiError(e, request.modelId()).failure();
        }
        channel.onClientGone(generation::cancel);
        // The last thing done here: from now on the answer, the record and the reservation belong to the completion.
        channel.later(generation.completion().handle((completion, failure) -> {
            try {
                if (failure != null) {
                    throw asApiFailure(failure instanceof CompletionException wrapped ? wrapped.getCause() : failure,
                            request.modelId());
                }
                settle(reservation, completion, record);
                channel.json(200, format.whole(completion));
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                reservation.close(); // after a settle, nothing
            }
        }));
    }

    /**
     * Starts a stream whose events the engine's callbacks write ({@link StreamRelay}) and returns: from now on the
     * reservation, the record and the response belong to the relay, and the request ends when the stream does.
     */
    private void relay(GenerationRequest request, StreamFormat format, ResponseChannel channel, RequestRecord record,
                       Reservation reservation) {
        StreamRelay relay = new StreamRelay(format, channel, record, reservation, request.modelId());
        Generation generation;
        try {
            generation = engine(request.modelId()).generate(request, relay);
        } catch (InferenceException e) {
            throw EngineErrors.toApiError(e, request.modelId()).failure();
        }
        relay.attach(generation);
        channel.later(relay.done());
    }

    private InferenceEngine engine(String model) {
        try {
            return backends.engineFor(model);
        } catch (InferenceException e) {
            throw EngineErrors.toApiError(e, model).failure();
        }
    }

    static void settle(Reservation reservation, Completion completion, RequestRecord record) {
        reservation.settle(completion.usage());
        record.usage(completion.usage());
        record.finished(completion.finishReason());
    }

    private static ApiError.ApiFailure asApiFailure(Throwable cause, String model) {
        if (cause instanceof InferenceException failure) {
            return EngineErrors.toApiError(failure, model).failure();
        }
        return new ApiError(ErrorKind.SERVER, "the generation failed unexpectedly", null, null,
                java.util.Optional.empty()).failure();
    }
}
