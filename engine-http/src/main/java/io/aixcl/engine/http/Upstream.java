package io.aixcl.engine.http;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationQueue;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;

/**
 * What both HTTP engines share: the client, the lifecycle, the registered models with their limits, and the
 * generations. The engines add their API's control calls (listing, loading) on top.
 *
 * <p>The state is Ready from a successful start until a connection to the upstream is refused, then Crashed (with
 * the reason, and "now" as the next attempt: every request tries again) until an exchange gets an answer.
 */
final class Upstream implements AutoCloseable {

    private static final Duration START_POLL = Duration.ofMillis(200);

    private final UpstreamConfig config;
    private final UpstreamApi api;
    private final UpstreamClient client;
    private final Watchdog watchdog;
    private final Clock clock;
    private final ConcurrentHashMap<String, RegisteredModel> models = new ConcurrentHashMap<>();
    private volatile EngineState state = new EngineState.Stopped(0);

    /** On {@code loops} (the daemon's, shared with the gateway), or on loops of its own when null. */
    Upstream(UpstreamConfig config, UpstreamApi api, EventLoopGroup loops, String threadName, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.api = requireNonNull(api, "api is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.client = new UpstreamClient(config, loops, threadName);
        Duration shortest = config.firstByteTimeout().compareTo(config.idleTimeout()) < 0
                ? config.firstByteTimeout() : config.idleTimeout();
        this.watchdog = new Watchdog(shortest, threadName + "-watchdog");
    }

    UpstreamConfig config() {
        return config;
    }

    UpstreamApi api() {
        return api;
    }

    UpstreamClient client() {
        return client;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    Executor executor() {
        return client.executor();
    }

    Instant now() {
        return clock.instant();
    }

    EngineState state() {
        return state;
    }

    /** Starts the client and polls the readiness path until it answers 200, or fails with the last reason. */
    synchronized void start() {
        if (!(state instanceof EngineState.Stopped)) {
            throw new IllegalStateException(api.name() + " engine already started");
        }
        state = new EngineState.Starting(state.restarts());
        try {
            client.start();
        } catch (InferenceException e) {
            close();
            throw e;
        }
        watchdog.start();
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        String exchange = "GET " + config.url(api.readinessPath());
        while (true) {
            UpstreamClient.Answer answer = null;
            String why;
            try {
                answer = client.exchange(HttpMethod.GET, api.readinessPath(), null,
                        config.connectTimeout().plus(config.firstByteTimeout()));
                why = "answered " + answer.status() + ": " + answer.message();
            } catch (InferenceException.EngineUnavailable e) {
                why = e.getMessage();
            }
            if (answer != null && answer.ok()) {
                state = new EngineState.Ready(0, clock.instant());
                return;
            }
            if (answer != null && (answer.status() == 401 || answer.status() == 403 || answer.status() == 404)) {
                // Waiting would not change these: a wrong key or a wrong URL.
                fail(exchange + " " + why + (answer.status() == 404 ? " (is this a " + api.name() + "?)"
                        : " (check the API key)"));
            }
            if (System.nanoTime() - deadline >= 0) {
                fail("the " + api.name() + " at " + config.baseUrl() + " was not ready within "
                        + config.startTimeout().toMillis() + " ms: " + why);
            }
            LockSupport.parkNanos(START_POLL.toNanos());
        }
    }

    private void fail(String message) {
        close();
        throw new InferenceException.EngineUnavailable(message, null);
    }

    void reportUp() {
        if (state instanceof EngineState.Crashed crashed) {
            state = new EngineState.Ready(crashed.restarts(), clock.instant());
        }
    }

    void reportDown(String why) {
        EngineState now = state;
        if (now instanceof EngineState.Ready ready) {
            state = new EngineState.Crashed(ready.restarts() + 1, api.name() + " unreachable: " + why, clock.instant());
        }
    }

    void checkRunning() {
        if (state instanceof EngineState.Stopped) {
            throw new InferenceException.EngineUnavailable("the " + api.name() + " engine for " + config.baseUrl()
                    + " is stopped", null);
        }
    }

    /** Registers {@code spec}, keeping the queue when the limits are unchanged. */
    RegisteredModel register(ModelSpec spec) {
        // New limits take a new queue; what ran under the old one goes on to its end.
        return models.compute(spec.id(), (id, existing) -> {
            if (existing != null && existing.sameLimits(spec)) {
                existing.refresh(spec, clock.instant());
                return existing;
            }
            return new RegisteredModel(spec, clock.instant());
        });
    }

    /** Forgets {@code modelId}; throws ModelNotFound when it was not registered. */
    RegisteredModel unregister(String modelId) {
        RegisteredModel model = models.remove(modelId);
        if (model == null) {
            throw new InferenceException.ModelNotFound(modelId);
        }
        model.abandon();
        return model;
    }

    Collection<RegisteredModel> registered() {
        return models.values();
    }

    Generation generate(GenerationRequest request, GenerationListener listener) {
        requireNonNull(request, "request is null");
        requireNonNull(listener, "listener is null");
        checkRunning();
        RegisteredModel model = models.get(request.modelId());
        if (model == null) {
            throw new InferenceException.ModelNotFound(request.modelId());
        }
        GenerationQueue.Ticket ticket = model.queue().admit();
        var generation = new UpstreamGeneration(request, listener, model, ticket, this);
        generation.start();
        return generation;
    }

    /** Sends a generation's HTTP request; {@code listener} hears the answer on an event loop. */
    Exchange sendGeneration(GenerationRequest request, ModelSpec spec, Exchange.Listener listener) {
        return client.post(api.generationPath(request), api.generationBody(request, spec), api.accept(), listener);
    }

    @Override
    public synchronized void close() {
        EngineState now = state;
        state = new EngineState.Stopped(now.restarts());
        for (RegisteredModel model : models.values()) {
            model.fail(new InferenceException.EngineUnavailable("the " + api.name() + " engine was stopped", null));
        }
        watchdog.close();
        client.close();
    }
}
