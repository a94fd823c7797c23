package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The process entry. No method here names a picocli or command type: the JDK's launcher resolves every signature
 * of the main class before calling main, which loaded (and verified) picocli's 300 KB CommandLine on the fast path.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Map<String, String> env = System.getenv();
        // The fast path first: System.console() alone costs more than a whole status request.
        OptionalInt fast = FastPath.tryRun(args, out, System.err, () -> System.console() != null, env,
                AixclPaths.fromEnvironment(env, uid()));
        int code = fast.isPresent() ? fast.getAsInt()
                : OrdinaryPath.run(args, out, System.err, env, System.console() != null);
        out.flush();
        System.out.flush();
        System.err.flush();
        // halt, not exit: the CLI registers no shutdown hooks, and System.exit first starts the JDK's logging to
        // log the exit at debug level (~10 ms of CPU, a quarter of a fast `stack status --json`).
        Runtime.getRuntime().halt(code);
    }

    /** The whole CLI as a function, so tests run it in-process. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean tty) {
        OptionalInt fast = FastPath.tryRun(args, out, err, () -> tty, env, AixclPaths.fromEnvironment(env, uid()));
        return fast.isPresent() ? fast.getAsInt() : OrdinaryPath.run(args, out, err, env, tty);
    }

    static long uid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (Exception e) {
            return 0;
        }
    }
}
