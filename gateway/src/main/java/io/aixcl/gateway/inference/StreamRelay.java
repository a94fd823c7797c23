package io.aixcl.gateway.inference;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.keys.Reservation;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A stream written to the client by the engine's own callbacks, on the I/O thread that reads the engine's answer (the
 * client's, for a ready HTTP engine): no thread waits for a token and none is handed one. Each event is rendered and
 * pushed as it comes; while the client's connection is full the generation is paused (the engine's connection is not
 * read), so a slow client holds at most the connection's high-water mark here. As the blocking stream does: the 200
 * waits for the first token (a failure before it keeps its own status), the reservation is settled with the engine's
 * counts (a client that left is billed what was generated until then), an error after the first token is rendered in
 * the stream's own shape.
 */
final class StreamRelay implements GenerationListener {

    private final StreamFormat format;
    private final ResponseChannel channel;
    private final RequestRecord record;
    private final Reservation reservation;
    private final String model;
    /** Completes when the stream is over (the request then ends), or fails before its first token. */
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Generation generation;
    private volatile boolean clientGone;
    /** Set when the client was cut off for taking nothing: how long it was given. */
    private volatile Duration stalledFor;
    /** Events come one at a time (under the generation's lock), from whichever thread the engine uses. */
    private boolean started;
    /** The next bytes to push, in one array for the whole stream. */
    private final EventBytes out = new EventBytes();

    StreamRelay(StreamFormat format, ResponseChannel channel, RequestRecord record, Reservation reservation,
                String model) {
        this.format = format;
        this.channel = channel;
        this.record = record;
        this.reservation = reservation;
        this.model = model;
    }

    /** Once the engine accepted the generation: the client's connection may now pause it, or cancel it. */
    void attach(Generation started) {
        generation = started;
        channel.backPressure(started::pause, started::resume, this::stalled);
        channel.onClientGone(this::clientLeft);
    }

    CompletionStage<Void> done() {
        return done;
    }

    @Override
    public void on(GenerationEvent event) {
        try {
            switch (event) {
                case GenerationEvent.Token token -> token(token.text());
                case GenerationEvent.Completed completed -> completed(completed.completion());
                case GenerationEvent.Failed failed -> failed(failed.failure());
            }
        } catch (RuntimeException e) {
            reservation.close();
            done.completeExceptionally(e);
            cancel();
        }
    }

    private void token(String text) {
        if (clientGone || done.isDone()) {
            return;
        }
        if (!started) {
            open();
        }
        format.token(text, out);
        try {
            channel.push(out.array(), 0, out.length());
        } catch (IOException writeFailed) {
            clientLeft();
        } finally {
            out.clear();
        }
    }

    private void completed(Completion completion) {
        try {
            Generations.settle(reservation, completion, record);
            if (clientGone) {
                Duration stalled = stalledFor;
                if (stalled != null) {
                    record.clientStalled(stalled);
                } else {
                    record.finished(FinishReason.CANCELLED);
                }
                return;
            }
            byte[] closing = format.closing(completion);
            if (!started) { // no token came: the opening goes in front
                open();
                out.append(closing);
                closing = out.toByteArray();
                out.clear();
            }
            channel.end(closing);
        } finally {
            reservation.close(); // after a settle, nothing
            done.complete(null);
        }
    }

    private void failed(InferenceException failure) {
        ApiError error = EngineErrors.toApiError(failure, model);
        reservation.close();
        if (!started) {
            done.completeExceptionally(error.failure()); // nothing sent: the error gets its own status
            return;
        }
        record.failedMidStream(error);
        try {
            channel.push(format.error(error));
        } catch (IOException clientLeft) {
            // Nothing more to tell it; the request ends below either way.
        }
        done.complete(null);
    }

    /** Commits the 200, the stream's opening put in front of its first bytes. */
    private void open() {
        started = true;
        try {
            channel.startStream(format.streamContentType());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] opening = format.opening();
        if (opening != null) {
            out.append(opening);
        }
    }

    /**
     * The client took nothing for the write timeout while the generation was paused: it ends as if the client had
     * left (the slot and the upstream connection freed, what was generated billed), recorded as cut off; the channel
     * closes the connection after this.
     */
    private void stalled(Duration waited) {
        stalledFor = waited;
        clientLeft();
    }

    /** The client went away: the generation stops now (its connection upstream closes) and ends as cancelled. */
    private void clientLeft() {
        clientGone = true;
        cancel();
    }

    private void cancel() {
        Generation current = generation;
        if (current != null) {
            current.cancel();
        }
    }
}
