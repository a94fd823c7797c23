package io.aixcl.engine.llama;

import io.aixcl.core.inference.InferenceException;
import io.aixcl.engine.llama.protocol.Frame;
import io.aixcl.engine.llama.protocol.FrameChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One worker JVM and its connection. The parent listens on a socket in its private runtime folder, starts the
 * worker, accepts exactly one connection and checks that it comes from that worker (its Hello names the pid).
 * A reader thread hands every frame to {@link Events#onFrame}; when the connection ends, for whatever reason,
 * the process is reaped and {@link Events#onExit} is told once, with the best account of why.
 */
final class WorkerProcess {

    private static final System.Logger LOG = System.getLogger(WorkerProcess.class.getName());

    interface Events {
        void onFrame(WorkerProcess worker, Frame.ToParent frame);

        void onExit(WorkerProcess worker, String why);
    }

    private final Process process;
    private final FrameChannel frames;
    private final OutputTail output;
    private final Instant startedAt;
    private final AtomicBoolean stopping = new AtomicBoolean();

    private WorkerProcess(Process process, FrameChannel frames, OutputTail output, Instant startedAt) {
        this.process = process;
        this.frames = frames;
        this.output = output;
        this.startedAt = startedAt;
    }

    /** Starts a worker and waits until it is connected; throws EngineUnavailable with its output when it is not. */
    static WorkerProcess launch(WorkerCommand command, Path runtimeDir, int number, Duration timeout, Events events) {
        Path socket = runtimeDir.resolve("worker-" + number + ".sock");
        Path nativeDir = runtimeDir.resolve("native");
        var output = new OutputTail();
        Instant startedAt = Instant.now();
        Process process = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.createDirectories(nativeDir);
            Files.deleteIfExists(socket);
            server.bind(UnixDomainSocketAddress.of(socket));
            var builder = new ProcessBuilder(command.argv(socket, nativeDir, ProcessHandle.current().pid()))
                    .directory(nativeDir.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            // ggml prints a backtrace through gdb on an assertion failure, which takes seconds; the crash's own
            // message is what we keep.
            builder.environment().put("GGML_NO_BACKTRACE", "1");
            process = builder.start();
            pumpOutput(process, output);
            SocketChannel channel = accept(server, process, timeout, output);
            Files.deleteIfExists(socket);
            var frames = new FrameChannel(channel);
            var worker = new WorkerProcess(process, frames, output, startedAt);
            worker.expectHello(timeout);
            // A platform thread: it wakes once per token, where a virtual one would also wake the poller.
            Thread.ofPlatform().daemon().name("llama-worker-" + process.pid() + "-reader")
                    .start(() -> worker.read(events));
            return worker;
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
                waitQuietly(process, Duration.ofSeconds(2));
            }
            quietlyDelete(socket);
            String why = e instanceof InferenceException ? e.getMessage() : "cannot start the llama.cpp worker: " + e;
            throw new InferenceException.EngineUnavailable(why + tailNote(output), e);
        }
    }

    long pid() {
        return process.pid();
    }

    Instant startedAt() {
        return startedAt;
    }

    boolean alive() {
        return process.isAlive();
    }

    void send(Frame.ToWorker frame) throws IOException {
        frames.write(frame);
    }

    /** Asks the worker to close its models and exit; kills it when it has not after {@code grace}. */
    void stop(Duration grace) {
        stopping.set(true);
        try {
            frames.write(new Frame.Shutdown());
        } catch (IOException e) {
            // Already gone.
        }
        if (!waitQuietly(process, grace)) {
            process.destroyForcibly();
            waitQuietly(process, Duration.ofSeconds(5));
        }
        closeQuietly();
    }

    /** Kills the worker at once (a hung load, a test of crash recovery). */
    void kill() {
        process.destroyForcibly();
    }

    private void expectHello(Duration timeout) throws IOException {
        CompletableFuture<Frame> hello = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                hello.complete(frames.read());
            } catch (IOException | RuntimeException e) {
                hello.completeExceptionally(e);
            }
        });
        Frame first;
        try {
            first = hello.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException | ExecutionException e) {
            closeQuietly();
            throw new IOException("the worker connected but did not introduce itself", e);
        }
        if (!(first instanceof Frame.Hello(long pid)) || pid != process.pid()) {
            closeQuietly();
            throw new IOException("a process other than worker " + process.pid() + " connected: " + first);
        }
    }

    private void read(Events events) {
        String why;
        try {
            while (true) {
                Frame frame = frames.read();
                if (frame instanceof Frame.ToParent toParent) {
                    events.onFrame(this, toParent);
                } else {
                    throw new IOException("the worker sent a request frame: " + frame);
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            if (!waitQuietly(process, Duration.ofSeconds(2))) {
                // Connected no more but still running: a broken protocol; it cannot be trusted with more work.
                process.destroyForcibly();
                waitQuietly(process, Duration.ofSeconds(5));
            }
            why = stopping.get() ? "the worker was stopped" : describeExit(e);
        }
        events.onExit(this, why);
    }

    private String describeExit(Exception cause) {
        String status;
        if (process.isAlive()) {
            status = "lost its connection (" + cause.getMessage() + ")";
        } else {
            int code = process.exitValue();
            status = code > 128 ? "was killed by " + signalName(code - 128) : "exited with status " + code;
        }
        return "the llama.cpp worker (pid " + process.pid() + ") " + status + tailNote(output);
    }

    private static String tailNote(OutputTail output) {
        String line = output.mostTelling();
        return line.isEmpty() ? "" : "; its last output: " + line;
    }

    static String signalName(int signal) {
        return switch (signal) {
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
    }

    private static SocketChannel accept(ServerSocketChannel server, Process process, Duration timeout,
            OutputTail output) throws IOException {
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(server.accept());
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        });
        try {
            CompletableFuture.anyOf(accepted, process.onExit()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the worker did not connect within " + timeout.toMillis() + " ms");
        } catch (InterruptedException | ExecutionException e) {
            throw new IOException("waiting for the worker to connect failed: " + e, e);
        }
        if (!accepted.isDone()) {
            waitQuietly(process, Duration.ofMillis(200)); // let the output pump catch the last lines
            throw new IOException("the worker exited with status " + process.exitValue() + " before connecting");
        }
        return accepted.join();
    }

    private static void pumpOutput(Process process, OutputTail output) {
        // A platform thread: a virtual one blocked for the worker's lifetime in a native pipe read holds its carrier,
        // and with podman's stderr drain beside it, a 2-core machine had no carrier left for the daemon's requests.
        Thread.ofPlatform().daemon().name("llama-worker-" + process.pid() + "-output").start(() -> {
            try (var reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.add(line);
                    LOG.log(Level.DEBUG, "worker {0}: {1}", String.valueOf(process.pid()), line);
                }
            } catch (IOException e) {
                // The process is gone.
            }
        });
    }

    private static boolean waitQuietly(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private void closeQuietly() {
        try {
            frames.close();
        } catch (IOException e) {
            // Nothing left to do with it.
        }
    }

    private static void quietlyDelete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A stale socket file is replaced at the next start.
        }
    }
}
