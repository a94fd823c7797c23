package io.aixcl.engine.llama;

import static java.util.Objects.requireNonNull;

import de.kherud.llama.LlamaModel;
import io.aixcl.engine.llama.worker.WorkerMain;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the embedded engine runs its worker.
 *
 * @param runtimeDir a private folder (made 0700) for the worker's socket and its extracted native library; the
 *     daemon passes {@code $XDG_RUNTIME_DIR/aixcl/engine-llama}
 * @param java the JVM the worker runs on: by default the daemon's own
 * @param workerClasspath this module and llama.cpp's jar, found from where their classes were loaded
 * @param threads CPU threads llama.cpp uses per model
 * @param startTimeout how long a worker may take to start and connect
 * @param loadTimeout how long a model may take to load
 * @param keepAliveSweep how often idle models are checked against their keep-alive
 * @param streamInterval tokens that come sooner than this after the last one sent are held and sent together, each
 *     held at most twice this; zero sends every token on its own (see {@code worker.TokenBatch})
 */
public record EmbeddedEngineConfig(
        Path runtimeDir,
        Path java,
        List<Path> workerClasspath,
        int threads,
        int workerHeapMegabytes,
        Duration startTimeout,
        Duration loadTimeout,
        Backoff backoff,
        Duration keepAliveSweep,
        Duration streamInterval) {

    /**
     * Below what a reader notices (a real model's tokens take tens of milliseconds, and go out one by one), above the
     * ~1 ms a token of a tiny model takes on a small CPU, where a frame a token woke the daemon and the client once per
     * token, on the cores llama.cpp computes on (docs/PERFORMANCE.md, "Embedded engine").
     */
    public static final Duration DEFAULT_STREAM_INTERVAL = Duration.ofMillis(4);

    public EmbeddedEngineConfig {
        requireNonNull(runtimeDir, "runtimeDir is null");
        requireNonNull(java, "java is null");
        workerClasspath = List.copyOf(workerClasspath);
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(loadTimeout, "loadTimeout is null");
        requireNonNull(backoff, "backoff is null");
        requireNonNull(keepAliveSweep, "keepAliveSweep is null");
        requireNonNull(streamInterval, "streamInterval is null");
        if (streamInterval.isNegative() || streamInterval.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("stream interval outside 0..1 s: " + streamInterval);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads < 1: " + threads);
        }
        if (workerHeapMegabytes < 16) {
            throw new IllegalArgumentException("worker heap below 16 MB: " + workerHeapMegabytes);
        }
    }

    public static EmbeddedEngineConfig defaults(Path runtimeDir) {
        return new EmbeddedEngineConfig(runtimeDir, currentJava(), defaultWorkerClasspath(),
                Runtime.getRuntime().availableProcessors(), 64, Duration.ofSeconds(30), Duration.ofMinutes(2),
                Backoff.DEFAULT, Duration.ofSeconds(1), DEFAULT_STREAM_INTERVAL);
    }

    public EmbeddedEngineConfig withThreads(int value) {
        return new EmbeddedEngineConfig(runtimeDir, java, workerClasspath, value, workerHeapMegabytes, startTimeout,
                loadTimeout, backoff, keepAliveSweep, streamInterval);
    }

    public EmbeddedEngineConfig withBackoff(Backoff value) {
        return new EmbeddedEngineConfig(runtimeDir, java, workerClasspath, threads, workerHeapMegabytes, startTimeout,
                loadTimeout, value, keepAliveSweep, streamInterval);
    }

    public EmbeddedEngineConfig withKeepAliveSweep(Duration value) {
        return new EmbeddedEngineConfig(runtimeDir, java, workerClasspath, threads, workerHeapMegabytes, startTimeout,
                loadTimeout, backoff, value, streamInterval);
    }

    public EmbeddedEngineConfig withStreamInterval(Duration value) {
        return new EmbeddedEngineConfig(runtimeDir, java, workerClasspath, threads, workerHeapMegabytes, startTimeout,
                loadTimeout, backoff, keepAliveSweep, value);
    }

    /** The daemon's own JVM, so the worker runs the same Java the user installed. */
    static Path currentJava() {
        return ProcessHandle.current().info().command()
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    /**
     * Exactly what the worker needs: the jar (or folder) holding {@link WorkerMain} and the one holding llama.cpp.
     * Taken from the classes' code sources rather than {@code java.class.path}, which under a launcher or a test
     * runner may be a manifest-only jar or name the whole daemon.
     */
    static List<Path> defaultWorkerClasspath() {
        // A class literal does not initialise LlamaModel, so the daemon never loads the native library itself.
        return List.of(codeSource(WorkerMain.class), codeSource(LlamaModel.class));
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }
}
