package io.aixcl.engine.llama;

import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.engine.llama.protocol.Frame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * Keeps one worker running: starts it, routes its answers to the calls waiting for them, and when it dies fails
 * every call in flight at once (nothing waits on a dead process) and restarts it after a {@link Backoff} delay.
 * The engine's state is this class's state machine: Stopped → Starting → Ready → Crashed → Starting → ... → Stopped.
 */
final class Supervisor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    /** Receives the answers to one call; returns true from {@code onFrame} on its last one. */
    interface CallHandler {
        boolean onFrame(Frame.ToParent frame);

        void onFailure(InferenceException failure);
    }

    /** One worker's lifetime. Calls belong to the session they were sent in and die with it. */
    final class Session {
        private final WorkerProcess worker;
        private final Map<Long, CallHandler> calls = new ConcurrentHashMap<>();
        private volatile boolean dead;

        private Session(WorkerProcess worker) {
            this.worker = worker;
        }

        long pid() {
            return worker.pid();
        }

        boolean dead() {
            return dead;
        }

        /** Sends the request built for a fresh call id; its answers go to {@code handler}. Returns the id. */
        long call(LongFunction<Frame.ToWorker> request, CallHandler handler) {
            long id = nextCall.incrementAndGet();
            calls.put(id, handler);
            // Checked after registering: a session dying concurrently either sees the call or we see it dead.
            if (dead) {
                calls.remove(id);
                throw new InferenceException.EngineUnavailable("the llama.cpp worker " + worker.pid() + " is gone", null);
            }
            try {
                worker.send(request.apply(id));
            } catch (IOException e) {
                calls.remove(id);
                throw new InferenceException.EngineUnavailable(
                        "cannot reach the llama.cpp worker " + worker.pid() + ": " + e.getMessage(), e);
            }
            return id;
        }

        /** A call with exactly one answer, waited for. */
        Frame.ToParent request(LongFunction<Frame.ToWorker> request, Duration timeout) throws TimeoutException {
            var reply = new CompletableFuture<Frame.ToParent>();
            long id = call(request, new CallHandler() {
                @Override
                public boolean onFrame(Frame.ToParent frame) {
                    reply.complete(frame);
                    return true;
                }

                @Override
                public void onFailure(InferenceException failure) {
                    reply.completeExceptionally(failure);
                }
            });
            try {
                return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw (InferenceException) e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InferenceException.EngineUnavailable("interrupted waiting for the llama.cpp worker", e);
            } finally {
                calls.remove(id);
            }
        }

        /** Best effort: if the worker is gone, so is the generation. */
        void send(Frame.ToWorker frame) {
            try {
                worker.send(frame);
            } catch (IOException e) {
                // The reader sees the broken connection and fails the calls.
            }
        }

        private void dispatch(Frame.ToParent frame) {
            long id = switch (frame) {
                case Frame.Loaded f -> f.call();
                case Frame.Unloaded f -> f.call();
                case Frame.Token f -> f.call();
                case Frame.Done f -> f.call();
                case Frame.Failed f -> f.call();
                case Frame.Hello f -> -1;
            };
            CallHandler handler = calls.get(id);
            if (handler == null) {
                return; // an answer to a call that timed out or was abandoned
            }
            boolean last;
            try {
                last = handler.onFrame(frame);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a generation listener failed; the generation goes on", e);
                last = false;
            }
            if (last) {
                calls.remove(id);
            }
        }

        private void failAll(InferenceException failure) {
            dead = true;
            for (Long id : calls.keySet()) {
                CallHandler handler = calls.remove(id);
                if (handler != null) {
                    handler.onFailure(failure);
                }
            }
        }
    }

    private final EmbeddedEngineConfig config;
    private final WorkerCommand command;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final AtomicLong nextCall = new AtomicLong();
    private final AtomicInteger workerNumber = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stateChanged = lock.newCondition();
    private EngineState state = new EngineState.Stopped(0);
    private Session session;
    private int restarts;
    private int consecutiveCrashes;
    private boolean closed;

    Supervisor(EmbeddedEngineConfig config, ScheduledExecutorService scheduler, Clock clock) {
        this.config = config;
        this.command = new WorkerCommand(config);
        this.scheduler = scheduler;
        this.clock = clock;
    }

    EngineState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Starts the first worker and waits for it; a failure is reported and retried with backoff. */
    void start() {
        lock.lock();
        try {
            if (closed) {
                throw stopped();
            }
            if (!(state instanceof EngineState.Stopped)) {
                return;
            }
            state = new EngineState.Starting(restarts);
        } finally {
            lock.unlock();
        }
        launch();
    }

    /** The running worker's session, waiting up to {@code timeout} for a start or restart under way. */
    Session awaitReady(Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        lock.lock();
        try {
            while (true) {
                switch (state) {
                    case EngineState.Ready r -> {
                        return session;
                    }
                    case EngineState.Stopped s -> throw stopped();
                    case EngineState.Crashed c when c.nextAttempt().isAfter(deadline) ->
                        throw new InferenceException.EngineUnavailable("the embedded engine crashed and restarts at "
                                + c.nextAttempt() + ": " + c.lastError(), null);
                    case EngineState.Crashed c -> { }
                    case EngineState.Starting s -> { }
                }
                long waitNanos = Duration.between(clock.instant(), deadline).toNanos();
                if (waitNanos <= 0) {
                    throw new InferenceException.EngineUnavailable(
                            "the embedded engine did not become ready within " + timeout.toMillis() + " ms ("
                                    + state.summary() + ")", null);
                }
                stateChanged.awaitNanos(waitNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException.EngineUnavailable("interrupted waiting for the embedded engine", e);
        } finally {
            lock.unlock();
        }
    }

    /** The current worker's pid, if one is running. */
    java.util.OptionalLong workerPid() {
        lock.lock();
        try {
            return session == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(session.pid());
        } finally {
            lock.unlock();
        }
    }

    private void launch() {
        WorkerProcess worker;
        try {
            worker = WorkerProcess.launch(command, config.runtimeDir(), workerNumber.incrementAndGet(),
                    config.startTimeout(), events);
        } catch (InferenceException e) {
            lock.lock();
            try {
                crashed(e.getMessage(), Duration.ZERO);
            } finally {
                lock.unlock();
            }
            throw e;
        }
        lock.lock();
        try {
            if (closed) {
                worker.stop(Duration.ofSeconds(2));
                throw stopped();
            }
            session = new Session(worker);
            state = new EngineState.Ready(restarts, clock.instant());
            stateChanged.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, "llama.cpp worker " + worker.pid() + " is ready");
    }

    private final WorkerProcess.Events events = new WorkerProcess.Events() {
        @Override
        public void onFrame(WorkerProcess worker, Frame.ToParent frame) {
            Session current = sessionOf(worker);
            if (current != null) {
                current.dispatch(frame);
            }
        }

        @Override
        public void onExit(WorkerProcess worker, String why) {
            Session ended = sessionOf(worker);
            if (ended == null) {
                return;
            }
            boolean stopping;
            // The state changes before any caller learns of the crash, so whoever sees its request fail and
            // then asks for the state sees the crash too.
            lock.lock();
            try {
                session = null;
                stopping = closed;
                if (closed) {
                    state = new EngineState.Stopped(restarts);
                    stateChanged.signalAll();
                } else {
                    LOG.log(Level.WARNING, "{0}", why);
                    crashed(why, Duration.between(worker.startedAt(), clock.instant()));
                }
            } finally {
                lock.unlock();
            }
            ended.failAll(new InferenceException.EngineUnavailable(
                    stopping ? "the embedded engine stopped" : why + "; the engine is restarting", null));
        }
    };

    private Session sessionOf(WorkerProcess worker) {
        lock.lock();
        try {
            return session != null && session.worker == worker ? session : null;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: records the crash and schedules the restart. */
    private void crashed(String why, Duration uptime) {
        consecutiveCrashes = config.backoff().wasHealthy(uptime) ? 1 : consecutiveCrashes + 1;
        Duration delay = config.backoff().delay(consecutiveCrashes);
        state = new EngineState.Crashed(restarts, why, clock.instant().plus(delay));
        stateChanged.signalAll();
        try {
            scheduler.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The engine is closing.
        }
    }

    private void restart() {
        lock.lock();
        try {
            if (closed || !(state instanceof EngineState.Crashed)) {
                return;
            }
            restarts++;
            state = new EngineState.Starting(restarts);
            stateChanged.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            launch();
        } catch (InferenceException e) {
            LOG.log(Level.WARNING, "restarting the llama.cpp worker failed: {0}", e.getMessage());
        }
    }

    private static InferenceException stopped() {
        return new InferenceException.EngineUnavailable("the embedded engine is stopped", null);
    }

    @Override
    public void close() {
        Session running;
        lock.lock();
        try {
            closed = true;
            running = session;
            if (running == null) {
                state = new EngineState.Stopped(restarts);
                stateChanged.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (running != null) {
            running.worker.stop(Duration.ofSeconds(5));
            // The reader reports the exit (failing what is in flight) shortly after the process ends.
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!(state instanceof EngineState.Stopped) && System.nanoTime() < deadline) {
                    stateChanged.awaitNanos(deadline - System.nanoTime());
                }
                state = new EngineState.Stopped(restarts);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }
    }
}
