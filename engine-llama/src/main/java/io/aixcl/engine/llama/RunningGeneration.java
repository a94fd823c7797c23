package io.aixcl.engine.llama;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationOutlet;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.GenerationQueue;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.core.inference.TokenUsage;
import io.aixcl.engine.llama.protocol.Frame;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * One generation from admission to its terminal event: waits for a slot, has the model made resident, streams
 * the worker's tokens to the listener, and gives the slot back however it ends (done, cancelled, worker dead).
 * Events for it are delivered under its monitor, so the listener sees them in order and nothing after the end.
 */
final class RunningGeneration implements Generation, Supervisor.CallHandler {

    private enum Phase { QUEUED, PREPARING, RUNNING, DONE }

    private final GenerationRequest request;
    private final GenerationOutlet outlet;
    private final ModelSlot slot;
    private final GenerationQueue.Ticket ticket;
    private final Supervisor supervisor;
    private final EmbeddedEngineConfig config;
    private final Clock clock;
    private final StringBuilder text = new StringBuilder();
    private Phase phase = Phase.QUEUED;
    private boolean cancelled;
    private Supervisor.Session session;
    private long call;

    RunningGeneration(GenerationRequest request, GenerationListener listener, ModelSlot slot,
            GenerationQueue.Ticket ticket, Supervisor supervisor, EmbeddedEngineConfig config, Clock clock) {
        this.request = request;
        this.outlet = new GenerationOutlet(request.requestId(), listener);
        this.slot = slot;
        this.ticket = ticket;
        this.supervisor = supervisor;
        this.config = config;
        this.clock = clock;
    }

    void start() {
        slot.track(this);
        Thread.ofVirtual().name("generation-" + request.requestId()).start(this::run);
    }

    private void run() {
        if (!ticket.turn().join()) {
            return; // withdrawn from the queue; whoever withdrew it has ended it
        }
        try {
            synchronized (this) {
                if (phase == Phase.DONE) {
                    return;
                }
                phase = Phase.PREPARING;
            }
            Supervisor.Session ready = slot.ensureResident(supervisor, config, clock.instant());
            synchronized (this) {
                if (phase == Phase.DONE) {
                    return;
                }
                if (cancelled) {
                    end(new GenerationEvent.Completed(new Completion("", FinishReason.CANCELLED, TokenUsage.NONE)));
                    return;
                }
            }
            long id = ready.call(c -> frame(c, request), this);
            synchronized (this) {
                session = ready;
                call = id;
                if (phase != Phase.DONE) {
                    phase = Phase.RUNNING;
                    if (cancelled) {
                        ready.send(new Frame.Cancel(id));
                    }
                }
            }
        } catch (InferenceException e) {
            onFailure(e);
        } catch (RuntimeException e) {
            onFailure(new InferenceException.EngineUnavailable("generation failed: " + e, e));
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
        if (phase == Phase.DONE || cancelled) {
            return;
        }
        cancelled = true;
        switch (phase) {
            case QUEUED -> end(new GenerationEvent.Completed(new Completion("", FinishReason.CANCELLED, TokenUsage.NONE)));
            case RUNNING -> session.send(new Frame.Cancel(call));
            case PREPARING, DONE -> { } // checked once the model is resident
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

    @Override
    public synchronized boolean onFrame(Frame.ToParent frame) {
        if (phase == Phase.DONE) {
            return true;
        }
        switch (frame) {
            case Frame.Token token -> {
                text.append(token.text());
                outlet.token(token.text());
                return false;
            }
            case Frame.Done done -> end(new GenerationEvent.Completed(new Completion(text.toString(),
                    FinishReason.valueOf(done.finishReason()),
                    new TokenUsage(done.promptTokens(), done.completionTokens()))));
            case Frame.Failed failed -> end(new GenerationEvent.Failed(switch (failed.kind()) {
                case REQUEST -> new InferenceException.InvalidRequest(failed.message());
                case LOAD -> new InferenceException.LoadFailed(failed.message(), null);
                case INTERNAL -> new InferenceException.EngineUnavailable(failed.message(), null);
            }));
            default -> end(new GenerationEvent.Failed(
                    new InferenceException.EngineUnavailable("unexpected answer to a generation: " + frame, null)));
        }
        return true;
    }

    @Override
    public synchronized void onFailure(InferenceException failure) {
        end(new GenerationEvent.Failed(failure));
    }

    /** Under the monitor: the one terminal event; frees the slot before anyone learns of the end. */
    private void end(GenerationEvent terminal) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        slot.queue().release(ticket);
        slot.touch(clock.instant());
        slot.untrack(this);
        outlet.end(terminal);
    }

    static Frame.Generate frame(long call, GenerationRequest request) {
        SamplingParams p = request.params();
        String prompt = "";
        List<Frame.Message> messages = List.of();
        switch (request.prompt()) {
            case Prompt.Text t -> prompt = t.text();
            case Prompt.Chat c -> messages = c.messages().stream()
                    .map(m -> new Frame.Message(role(m.role()), m.content()))
                    .toList();
        }
        return new Frame.Generate(call, request.modelId(), prompt, messages, p.temperature(), p.topP(),
                p.maxTokens(), p.stop(), p.seed().isPresent(), p.seed().orElse(0));
    }

    private static String role(ChatMessage.Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
