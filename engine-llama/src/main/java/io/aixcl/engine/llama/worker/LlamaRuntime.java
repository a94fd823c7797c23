package io.aixcl.engine.llama.worker;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;

import io.aixcl.engine.llama.protocol.Frame;
import io.aixcl.engine.llama.protocol.FrameChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's models and generations. Loads and generations run on platform threads: llama.cpp blocks inside
 * JNI, which would pin a virtual thread's carrier anyway.
 */
final class LlamaRuntime implements AutoCloseable {

    private final FrameChannel parent;
    private final Map<String, LlamaModel> models = new ConcurrentHashMap<>();
    private final Map<Long, Task> tasks = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(daemonThreads());
    private final long streamIntervalNanos;
    private final Flusher flusher = new Flusher();

    /** One generation; {@code cancelled} is read at each token boundary. */
    private static final class Task {
        final String modelId;
        volatile boolean cancelled;
        volatile Thread thread;

        Task(String modelId) {
            this.modelId = modelId;
        }
    }

    LlamaRuntime(FrameChannel parent, long streamIntervalNanos) {
        this.parent = parent;
        this.streamIntervalNanos = streamIntervalNanos;
    }

    void load(Frame.Load f) {
        threads.execute(() -> {
            if (models.containsKey(f.modelId())) {
                // A retried load after a timeout: the first one finished after all.
                send(new Frame.Loaded(f.call()));
                return;
            }
            var parameters = new ModelParameters()
                    .setModel(f.path())
                    .setCtxSize(f.contextTokens() * f.parallel())
                    .setParallel(f.parallel())
                    .setThreads(f.threads())
                    .setThreadsBatch(f.threads())
                    .disableLog();
            try {
                models.put(f.modelId(), new LlamaModel(parameters));
                send(new Frame.Loaded(f.call()));
            } catch (RuntimeException e) {
                send(new Frame.Failed(f.call(), Frame.FailureKind.LOAD, "llama.cpp cannot load " + f.path() + ": "
                        + e.getMessage() + " (the file is not a model llama.cpp supports, or it is truncated or corrupt)"));
            }
        });
    }

    void unload(Frame.Unload f) {
        threads.execute(() -> {
            LlamaModel model = models.remove(f.modelId());
            if (model != null) {
                stopTasks(task -> task.modelId.equals(f.modelId()));
                model.close();
            }
            send(new Frame.Unloaded(f.call()));
        });
    }

    void generate(Frame.Generate f) {
        LlamaModel model = models.get(f.modelId());
        if (model == null) {
            send(new Frame.Failed(f.call(), Frame.FailureKind.REQUEST, "model '" + f.modelId() + "' is not loaded"));
            return;
        }
        var task = new Task(f.modelId());
        tasks.put(f.call(), task);
        threads.execute(() -> {
            task.thread = Thread.currentThread();
            var out = new TokenBatch(f.call(), streamIntervalNanos, this::send);
            try {
                run(model, f, task, out);
            } catch (RuntimeException e) {
                out.end(new Frame.Failed(f.call(), Frame.FailureKind.INTERNAL, "generation failed: " + e.getMessage()));
            } finally {
                flusher.forget(out);
                tasks.remove(f.call());
                task.thread = null;
            }
        });
    }

    void cancel(long call) {
        Task task = tasks.get(call);
        if (task != null) {
            task.cancelled = true;
        }
    }

    private void run(LlamaModel model, Frame.Generate f, Task task, TokenBatch out) {
        var parameters = new InferenceParameters(f.prompt())
                .setTemperature((float) f.temperature())
                .setTopP((float) f.topP())
                .setNPredict(f.maxTokens());
        if (!f.stop().isEmpty()) {
            parameters.setStopStrings(f.stop().toArray(String[]::new));
        }
        if (f.seeded()) {
            parameters.setSeed((int) f.seed());
        }
        String prompt = f.prompt();
        if (!f.messages().isEmpty()) {
            prompt = ChatTemplate.render(model, parameters, f.messages());
            parameters.setPrompt(prompt);
        }
        int promptTokens = model.encode(prompt).length;
        int completionTokens = 0;
        LlamaIterator tokens = model.generate(parameters).iterator();
        while (tokens.hasNext()) {
            if (task.cancelled) {
                tokens.cancel();
                break;
            }
            LlamaOutput output = tokens.next();
            // The last output (stop) carries no sampled token of its own.
            if (tokens.hasNext()) {
                completionTokens++;
            }
            if (!output.text.isEmpty() && out.token(output.text, System.nanoTime())) {
                flusher.watch(out);
            }
        }
        String finish = task.cancelled ? "CANCELLED" : completionTokens >= f.maxTokens() ? "LENGTH" : "STOP";
        out.end(new Frame.Done(f.call(), finish, promptTokens, completionTokens));
    }

    /** Cancels the matching generations and waits (briefly) for them to leave the model. */
    private void stopTasks(java.util.function.Predicate<Task> which) {
        List<Task> stopping = new ArrayList<>();
        tasks.values().stream().filter(which).forEach(task -> {
            task.cancelled = true;
            stopping.add(task);
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Task task : stopping) {
            while (task.thread != null && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void send(Frame frame) {
        try {
            parent.write(frame);
        } catch (IOException e) {
            // The parent is gone; the main loop sees the closed connection and exits.
        }
    }

    @Override
    public void close() {
        stopTasks(task -> true);
        models.values().forEach(LlamaModel::close);
        models.clear();
        threads.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        var counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "llama-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

}
