package io.aixcl.engine.http;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationOutlet;
import io.aixcl.core.inference.GenerationQueue;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One generation on an HTTP upstream, from admission to its terminal event: waits for a slot, POSTs the request,
 * decodes the answer as it streams in, and gives the slot back however it ends. The response callbacks come one
 * at a time on the event loop of the connection; cancel and the watchdog come from other threads, so every step runs under this
 * object's monitor, which keeps the listener's events in order and nothing after the terminal one.
 */
final class UpstreamGeneration implements Generation, Watchdog.Watched, GenerationSink, Exchange.Listener {

    /** An error body is only read for its message. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private enum Phase { QUEUED, AWAITING_ANSWER, STREAMING, DONE }

    private final GenerationRequest request;
    private final GenerationOutlet outlet;
    private final RegisteredModel model;
    private final GenerationQueue.Ticket ticket;
    private final Upstream upstream;
    /** Where a send granted later goes: the loop of the thread that asked (its client's), else any. */
    private final Executor home;
    private final StringBuilder text = new StringBuilder();
    private Phase phase = Phase.QUEUED;
    private int tokens;
    private FinishReason finish;
    private TokenUsage usage;
    private Exchange exchange;
    private ResponseDecoder decoder;
    private int status;
    private byte[] errorBody;
    private int errorLength;
    private boolean exchangeDone;
    private boolean paused;
    private volatile long deadline = Long.MAX_VALUE;

    UpstreamGeneration(GenerationRequest request, GenerationListener listener, RegisteredModel model,
                       GenerationQueue.Ticket ticket, Upstream upstream) {
        this.request = request;
        this.outlet = new GenerationOutlet(request.requestId(), listener);
        this.model = model;
        this.ticket = ticket;
        this.upstream = upstream;
        this.home = upstream.executor();
    }

    void start() {
        model.track(this);
        var turn = ticket.turn();
        if (turn.isDone()) {
            if (turn.join()) {
                send();
            }
        } else {
            // Granted later by whoever frees a slot, under that generation's monitor: hop off its thread.
            turn.thenAcceptAsync(granted -> {
                if (granted) {
                    send();
                }
            }, home);
        }
    }

    private void send() {
        synchronized (this) {
            if (phase != Phase.QUEUED) {
                return;
            }
            if (model.removed()) {
                end(new GenerationEvent.Failed(new InferenceException.ModelNotFound(request.modelId())));
                return;
            }
            phase = Phase.AWAITING_ANSWER;
            deadline = System.nanoTime() + upstream.config().firstByteTimeout().toNanos();
            // Under the lock, so an end racing with this send always forgets what was watched.
            upstream.watchdog().watch(this);
            // Sent under the lock too: on this thread's own event loop the answer cannot come before it is released;
            // from another thread, its callbacks wait for the monitor.
            try {
                exchange = upstream.sendGeneration(request, model.spec(), this);
            } catch (RuntimeException e) {
                end(new GenerationEvent.Failed(e instanceof InferenceException failure ? failure
                        : new InferenceException.InvalidRequest("cannot build the upstream request: " + e)));
            }
        }
    }

    @Override
    public GenerationRequest request() {
        return request;
    }

    @Override
    public CompletableFuture<Completion> completion() {
        return outlet.completion();
    }

    @Override
    public synchronized void cancel() {
        if (phase == Phase.DONE) {
            return;
        }
        // Ends now rather than when the abort lands: the slot is free and the caller has its answer at once.
        end(new GenerationEvent.Completed(new Completion(text.toString(), FinishReason.CANCELLED, usageSoFar())));
    }

    @Override
    public synchronized void pause() {
        if (phase == Phase.DONE || paused) {
            return;
        }
        paused = true;
        deadline = Long.MAX_VALUE; // the client is the one not reading: the upstream is not stalled
        if (exchange != null) {
            exchange.pause();
        }
    }

    @Override
    public synchronized void resume() {
        if (phase == Phase.DONE || !paused) {
            return;
        }
        paused = false;
        if (phase != Phase.QUEUED) {
            deadline = System.nanoTime() + (phase == Phase.AWAITING_ANSWER ? upstream.config().firstByteTimeout()
                    : upstream.config().idleTimeout()).toNanos();
        }
        if (exchange != null) {
            exchange.resume();
        }
    }

    /** The model was unloaded: a queued generation fails with {@code why}, a running one is cancelled. */
    synchronized void abandon(InferenceException why) {
        if (phase == Phase.QUEUED) {
            end(new GenerationEvent.Failed(why));
        } else {
            cancel();
        }
    }

    synchronized void fail(InferenceException why) {
        end(new GenerationEvent.Failed(why));
    }

    @Override
    public long deadline() {
        return deadline;
    }

    @Override
    public synchronized void expire() {
        if (phase == Phase.DONE) {
            return;
        }
        String exchangeName = "POST " + upstream.config().url(upstream.api().generationPath(request));
        end(new GenerationEvent.Failed(new InferenceException.EngineUnavailable(phase == Phase.AWAITING_ANSWER
                ? exchangeName + " got no answer within " + upstream.config().firstByteTimeout().toMillis() + " ms"
                : "the upstream stalled: no data for " + upstream.config().idleTimeout().toMillis()
                        + " ms after " + tokens + " token(s) of " + exchangeName, null)));
    }

    // The exchange's callbacks

    @Override
    public synchronized void onHeaders(int status, String contentType) {
        if (phase != Phase.AWAITING_ANSWER) {
            return;
        }
        phase = Phase.STREAMING;
        watchIdle();
        upstream.reportUp();
        this.status = status;
        if (status / 100 != 2) {
            errorBody = new byte[1024];
            return;
        }
        try {
            decoder = upstream.api().decoder(request, contentType);
        } catch (InferenceException e) {
            end(new GenerationEvent.Failed(e));
        }
    }

    @Override
    public synchronized void onContent(ByteBuffer content) {
        if (phase != Phase.STREAMING) {
            return;
        }
        watchIdle();
        if (errorBody != null) {
            keepErrorBody(content);
            return;
        }
        try {
            decoder.decode(content, this);
        } catch (InferenceException e) {
            end(new GenerationEvent.Failed(e));
        }
    }

    @Override
    public synchronized void onComplete(Throwable cause) {
        exchangeDone = true;
        if (phase == Phase.DONE) {
            return; // cancelled, expired or failed already; this is the abort landing
        }
        String exchangeName = "POST " + upstream.config().url(upstream.api().generationPath(request));
        if (cause != null) {
            boolean connected = exchange != null && exchange.carried();
            if (UpstreamFailures.upstreamDown(cause, connected)) {
                upstream.reportDown(cause.getMessage());
            }
            InferenceException failure = UpstreamFailures.transport(exchangeName, cause, connected);
            end(new GenerationEvent.Failed(phase == Phase.STREAMING
                    ? new InferenceException.EngineUnavailable(failure.getMessage() + " after " + tokens
                            + " token(s), mid-stream", cause)
                    : failure));
            return;
        }
        if (errorBody != null) {
            end(new GenerationEvent.Failed(UpstreamFailures.forStatus(status,
                    Json.errorMessage(errorBody, errorLength), exchangeName, request.modelId(),
                    model.queue().running(), model.queue().queued())));
            return;
        }
        try {
            decoder.end(this);
        } catch (InferenceException e) {
            end(new GenerationEvent.Failed(e));
            return;
        }
        if (finish == null) {
            end(new GenerationEvent.Failed(new InferenceException.EngineUnavailable("the upstream ended "
                    + exchangeName + " after " + tokens + " token(s) without saying the generation finished", null)));
            return;
        }
        TokenUsage used = usage != null ? usage : usageSoFar();
        end(new GenerationEvent.Completed(new Completion(text.toString(), finish, used)));
    }

    // GenerationSink: called by the decoder, under the monitor

    @Override
    public void token(String piece) {
        if (piece.isEmpty() || phase == Phase.DONE) {
            return;
        }
        tokens++;
        text.append(piece);
        outlet.token(piece);
    }

    @Override
    public void finish(FinishReason reason) {
        finish = reason;
    }

    @Override
    public void usage(int promptTokens, int completionTokens) {
        usage = new TokenUsage(promptTokens >= 0 ? promptTokens : estimatePromptTokens(request.prompt()),
                completionTokens >= 0 ? completionTokens : tokens);
    }

    /** The upstream said something: it has the idle timeout again to say more (unless the client holds it back). */
    private void watchIdle() {
        if (!paused) {
            deadline = System.nanoTime() + upstream.config().idleTimeout().toNanos();
        }
    }

    /** Under the monitor: the one terminal event; frees the slot and aborts the exchange if still open. */
    private void end(GenerationEvent terminal) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        deadline = Long.MAX_VALUE;
        upstream.watchdog().forget(this);
        model.queue().release(ticket);
        model.touch(upstream.now());
        model.untrack(this);
        if (exchange != null && !exchangeDone) {
            // Aborting closes the connection, which is how an HTTP upstream learns to stop generating.
            exchange.abort();
        }
        outlet.end(terminal);
    }

    private void keepErrorBody(ByteBuffer content) {
        int n = Math.min(content.remaining(), MAX_ERROR_BODY - errorLength);
        if (n <= 0) {
            return;
        }
        if (errorLength + n > errorBody.length) {
            errorBody = Arrays.copyOf(errorBody, Math.min(MAX_ERROR_BODY, Math.max(errorLength + n, errorBody.length * 2)));
        }
        content.get(errorBody, errorLength, n);
        errorLength += n;
    }

    /** What the upstream said it cost, or what was counted: chunks streamed and a prompt estimate. */
    private TokenUsage usageSoFar() {
        return usage != null ? usage : new TokenUsage(estimatePromptTokens(request.prompt()), tokens);
    }

    /** About four characters a token (English, BPE vocabularies), plus a few per chat message for its framing. */
    static int estimatePromptTokens(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text t -> (t.text().length() + 3) / 4;
            case Prompt.Chat c -> {
                int tokens = 0;
                for (ChatMessage m : c.messages()) {
                    tokens += 4 + (m.content().length() + 3) / 4;
                }
                yield tokens;
            }
        };
    }
}
