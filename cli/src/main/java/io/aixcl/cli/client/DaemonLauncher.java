package io.aixcl.cli.client;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts aixcld in the background when a command needs it and none answers: the same JDK, the daemon jar that
 * sits beside the CLI's, in its own session (setsid) so closing the terminal does not stop it.
 */
public final class DaemonLauncher {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final AixclPaths paths;

    public DaemonLauncher(AixclPaths paths) {
        this.paths = paths;
    }

    public long launch() {
        return launch(List.of());
    }

    /** With {@code daemonArgs} passed to aixcld (e.g. {@code --listen ADDR:PORT}). */
    public long launch(List<String> daemonArgs) {
        Path jar = daemonJar();
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(javaBinary());
        // A small, steady footprint when idle (the serial collector gives memory back, the heap starts small), with
        // room to grow when the gateway loads the embedding model (~90 MB of ONNX weights read through the heap).
        // Native memory the JVM freed (compiler arenas, mostly) goes back to the OS every second: -4 MB idle RSS with
        // C1 (bench/daemon-rss.sh), -29 MB with C2, which the gateway wants (docs/PERFORMANCE.md, Gateway) but which
        // still costs ~9 MB more than C1 once trimmed.
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx1g", "-XX:MaxMetaspaceSize=192m",
                "-XX:TieredStopAtLevel=1", "-XX:TrimNativeHeapInterval=1000", "-Xss512k", "-XX:+ExitOnOutOfMemoryError",
                "-jar", jar.toString()));
        cmd.addAll(daemonArgs);
        try {
            Path out = paths.daemonLog().resolveSibling("aixcld.out");
            Files.createDirectories(out.getParent());
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (DaemonClient.answers(paths.socket())) {
                    return p.pid();
                }
                if (!p.isAlive()) {
                    String log = Files.exists(out) ? Files.readString(out).strip() : "";
                    List<String> tail = log.lines().toList();
                    throw new CliException(p.exitValue() == 7 ? ExitCodes.CONFLICT : ExitCodes.DAEMON_UNAVAILABLE,
                            "aixcld exited during start (exit " + p.exitValue() + ")",
                            tail.subList(Math.max(0, tail.size() - 15), tail.size()));
                }
                Thread.sleep(25);
            }
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "aixcld did not answer within "
                    + READY_TIMEOUT.toSeconds() + "s; see " + paths.daemonLog());
        } catch (IOException e) {
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "cannot start aixcld: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.CANCELLED, "interrupted while starting aixcld");
        }
    }

    private static String javaBinary() {
        String fromLauncher = System.getenv("AIXCL_JAVA");
        if (fromLauncher != null && Files.isExecutable(Path.of(fromLauncher))) {
            return fromLauncher;
        }
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static Path daemonJar() {
        String explicit = System.getenv("AIXCL_DAEMON_JAR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        try {
            Path cliJar = Path.of(DaemonLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path jar = cliJar.resolveSibling("aixcl-daemon.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "cannot find aixcl-daemon.jar beside " + cliJar
                    + "; rebuild with 'AIXCL_REBUILD=1 ./aixcl daemon start'");
        } catch (URISyntaxException e) {
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "cannot locate the daemon jar: " + e.getMessage());
        }
    }
}
