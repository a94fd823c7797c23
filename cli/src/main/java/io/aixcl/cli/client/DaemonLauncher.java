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
        // A small, steady footprint: the daemon idles most of its life, and the serial collector gives memory back;
        // the heap may grow to hold the gateway's embedding model (~90 MB of ONNX weights read through the heap).
        // C2 stays on (no TieredStopAtLevel=1): only C2 uses the CPU's SHA-256 instructions, and the daemon hashes
        // every pulled byte and every audit entry (C1: ~40 MB/s); the gateway's hot path needs it too.
        // TrimNativeHeapInterval gives the compiler's freed native memory back every second (-29 MB idle).
        // NewRatio=4: a young generation a fifth of the heap instead of a third; every page of eden is touched
        // between collections, so eden is resident in full: ~6 MB instead of ~14 MB at idle. Young collections
        // of this mostly short-lived, small live set stay cheap when they come twice as often.
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:NewRatio=4", "-Xms16m", "-Xmx1g", "-XX:MaxMetaspaceSize=192m",
                "-Xss512k", "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=1000",
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
