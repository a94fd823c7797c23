package io.aixcl.engine.docker;

import io.aixcl.core.AixclException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Podman's API service ({@code podman system service}) run as a child process, for machines where Podman is
 * installed but no API socket is active (no systemd socket unit). It lives exactly as long as its owner.
 */
public final class PodmanService implements AutoCloseable {
    private static final int STDERR_LINES = 40;
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final List<String> argv;
    private final Process process;
    private final Path socket;
    private final Deque<String> stderr = new ArrayDeque<>();

    private PodmanService(List<String> argv, Process process, Path socket) {
        this.argv = List.copyOf(argv);
        this.process = process;
        this.socket = socket;
    }

    /** The argument list that serves the API on {@code socket} until stopped ({@code --time=0}: no idle exit). */
    public static List<String> command(Path podman, Path socket) {
        return List.of(podman.toString(), "system", "service", "--time=0", "unix://" + socket);
    }

    /**
     * Starts {@code argv} (normally {@link #command}; tests wrap it to run as another user) and waits until
     * {@code socket} answers.
     */
    public static PodmanService start(List<String> argv, Path socket, Duration timeout, SocketProbe probe) {
        Objects.requireNonNull(argv, "argv is null");
        try {
            Files.createDirectories(socket.getParent());
            reapOrphans(socket);
            // A socket left by a crashed service would make the new one fail with "address already in use".
            if (probe.problem(socket).isPresent()) {
                Files.deleteIfExists(socket);
            }
            Process process = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            PodmanService service = new PodmanService(argv, process, socket);
            // A platform thread: a virtual one blocked in a native pipe read for the service's lifetime holds its
            // carrier (two such drains starved a 2-core daemon of carriers: every request hung).
            Thread.ofPlatform().daemon().name("podman-service-stderr").start(service::drainStderr);
            service.awaitSocket(timeout, probe);
            return service;
        } catch (IOException e) {
            throw new AixclException.EngineUnavailable("could not start " + String.join(" ", argv) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Stops services a previous daemon started on {@code socket} and never stopped (it was SIGKILLed: {@code --time=0}
     * services run on forever). The socket is in the daemon's private runtime folder and one daemon runs per folder,
     * so a process of this user serving it is an orphan. Returns how many were stopped.
     */
    static int reapOrphans(Path socket) {
        String endpoint = "unix://" + socket;
        Optional<String> me = ProcessHandle.current().info().user();
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> orphans = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self && me.isPresent() && p.info().user().equals(me))
                .filter(p -> p.info().arguments().map(a -> servesOn(a, endpoint)).orElse(false))
                .toList();
        orphans.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : orphans) {
            try {
                p.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        return orphans.size();
    }

    private static boolean servesOn(String[] arguments, String endpoint) {
        List<String> a = List.of(arguments);
        int service = a.indexOf("service");
        return service > 0 && a.get(service - 1).equals("system") && a.getLast().equals(endpoint);
    }

    private void awaitSocket(Duration timeout, SocketProbe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> problem = probe.problem(socket);
        while (problem.isPresent()) {
            if (!process.isAlive()) {
                throw failure("exited with code " + process.exitValue() + " before " + socket + " answered");
            }
            if (System.nanoTime() > deadline) {
                close();
                throw failure("did not answer on " + socket + " within " + timeout.toMillis() + " ms ("
                        + problem.get() + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new AixclException.Cancelled("interrupted while starting the Podman API service");
            }
            problem = probe.problem(socket);
        }
    }

    private AixclException failure(String what) {
        try {
            process.waitFor(200, TimeUnit.MILLISECONDS); // let the drain thread catch the last words
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new AixclException.EngineUnavailable("the Podman API service (" + String.join(" ", argv) + ") " + what + "; its stderr:\n"
                + stderrTail(), null);
    }

    private void drainStderr() {
        try (var reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                synchronized (stderr) {
                    if (stderr.size() == STDERR_LINES) {
                        stderr.removeFirst();
                    }
                    stderr.addLast(line);
                }
            }
        } catch (IOException e) {
            // The process is gone; what was read is kept.
        }
    }

    /** The service's last lines of stderr, for error messages. */
    public String stderrTail() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    public Path socket() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM to the service (and anything it runs under, such as runuser), then SIGKILL after a grace period. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            // A killed service leaves its socket behind; the next start would find a dead socket there.
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // Best effort: start() removes a dead socket too.
        }
    }
}
