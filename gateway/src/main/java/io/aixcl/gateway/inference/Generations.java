package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.GenerationStream;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.keys.Reservation;
import io.aixcl.gateway.Embedder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one generation for a client, whatever its protocol: admits the key, finds the engine, streams or waits,
 * settles the reservation with the engine's real usage, and cancels the generation when the client goes away.
 * Errors before anything was sent are thrown ({@link ApiError.ApiFailure}) so they get their own status.
 */
public final class Generations {

    /** How long a cancelled generation may take to report the tokens it used before the reservation is dropped. */
    private static final long CANCEL_WAIT_SECONDS = 10;

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
            admitted(presentedKey, requestId, generate, format, channel, record, true);
        } else {
            channel.blocking(() -> admitted(presentedKey, requestId, generate, format, channel, record, false));
        }
    }

    /** {@code relayed}: a stream is written by the engine's callbacks, else by this thread (which may block). */
    private void admitted(String presentedKey, String requestId, Generate generate, StreamFormat format,
                          ResponseChannel channel, RequestRecord record, boolean relayed) throws IOException {
        Reservation reservation = admission.admit(presentedKey, generate.model(), generate.reserveTokens(), record);
        boolean handedOver = false;
        try {
            GenerationRequest request = new GenerationRequest(requestId, generate.model(), generate.prompt(),
                    generate.params());
            if (generate.stream() && relayed) {
                relay(request, format, channel, record, reservation);
                handedOver = true;
            } else if (generate.stream()) {
                stream(request, format, channel, record, reservation);
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

    /** Ollama's load-only request: the key may use the model and an engine serves it; nothing is generated. */
    public void preload(String presentedKey, String model, RequestRecord record) {
        record.target(model);
        try (Reservation reservation = admission.admit(presentedKey, model, 0, record)) {
            if (!embedder.serves(model)) {
                engine(model);
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

    private void stream(GenerationRequest request, StreamFormat format, ResponseChannel channel, RequestRecord record,
                        Reservation reservation) throws IOException {
        GenerationStream events;
        try {
            events = engine(request.modelId()).stream(request);
        } catch (InferenceException e) {
            throw EngineErrors.toApiError(e, request.modelId()).failure();
        }
        // Closing the stream cancels the generation however this method is left.
        try (events) {
            Generation generation = events.generation();
            channel.onClientGone(generation::cancel);
            // Wait for the first event before committing a 200: a failure before any token keeps its own status.
            GenerationEvent event = next(events, generation);
            if (event instanceof GenerationEvent.Failed failed) {
                throw EngineErrors.toApiError(failed.failure(), request.modelId()).failure();
            }
            try {
                channel.startStream(format.streamContentType());
                // Everything already here goes out in one write (each write costs a syscall and a wake-up, CPU the
                // engine's own threads want on a small machine): the opening with the first tokens, tokens that
                // queued up while the last write went out, the closing with the last tokens when the engine has
                // finished by then. A token never waits for another: what is written is all there was.
                ByteArrayOutputStream pending = new ByteArrayOutputStream(256);
                byte[] opening = format.opening();
                if (opening != null) {
                    pending.writeBytes(opening);
                }
                while (event instanceof GenerationEvent.Token token) {
                    pending.writeBytes(format.token(token.text()));
                    GenerationEvent waiting = events.poll();
                    if (waiting == null) {
                        channel.chunk(pending.toByteArray());
                        pending.reset();
                        waiting = next(events, generation);
                    }
                    event = waiting;
                }
                switch (event) {
                    case GenerationEvent.Completed completed -> {
                        settle(reservation, completed.completion(), record);
                        pending.writeBytes(format.closing(completed.completion()));
                        channel.end(pending.toByteArray());
                    }
                    case GenerationEvent.Failed failed -> {
                        ApiError error = EngineErrors.toApiError(failed.failure(), request.modelId());
                        record.failedMidStream(error);
                        pending.writeBytes(format.error(error));
                        channel.chunk(pending.toByteArray());
                    }
                    case GenerationEvent.Token token -> throw new IllegalStateException("tokens are written above");
                }
            } catch (IOException clientGone) {
                generation.cancel();
                settleCancelled(generation, reservation, record);
                if (clientGone instanceof ClientStalled stalled) {
                    record.clientStalled(stalled.waited());
                }
            }
        }
    }

    private InferenceEngine engine(String model) {
        try {
            return backends.engineFor(model);
        } catch (InferenceException e) {
            throw EngineErrors.toApiError(e, model).failure();
        }
    }

    private static GenerationEvent next(GenerationStream events, Generation generation) {
        try {
            return events.next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            generation.cancel();
            throw new ApiError(ErrorKind.UNAVAILABLE, "the gateway is shutting down", null, "engine_unavailable",
                    java.util.Optional.empty()).failure();
        }
    }

    static void settle(Reservation reservation, Completion completion, RequestRecord record) {
        reservation.settle(completion.usage());
        record.usage(completion.usage());
        record.finished(completion.finishReason());
    }

    /** The client left: bill the tokens the engine spent before it stopped, if it says in time. */
    private static void settleCancelled(Generation generation, Reservation reservation, RequestRecord record) {
        record.finished(FinishReason.CANCELLED);
        try {
            Completion completion = generation.completion().get(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
            reservation.settle(completion.usage());
            record.usage(completion.usage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The reservation is closed by the caller: nothing known to bill.
        }
    }

    private static ApiError.ApiFailure asApiFailure(Throwable cause, String model) {
        if (cause instanceof InferenceException failure) {
            return EngineErrors.toApiError(failure, model).failure();
        }
        return new ApiError(ErrorKind.SERVER, "the generation failed unexpectedly", null, null,
                java.util.Optional.empty()).failure();
    }
}
