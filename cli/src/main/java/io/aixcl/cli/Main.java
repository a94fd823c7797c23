package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.client.SocketWarmup;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * The process entry. No method here names a picocli or command type: the JDK's launcher resolves every signature
 * of the main class before calling main, which loaded (and verified) picocli's 300 KB CommandLine on the fast path.
 */
public final class Main {
    /** Made when the class initialises, so the AOT cache's training (which calls {@link #run}) archives it. */
    private static final BooleanSupplier CONSOLE = new ConsoleCheck();

    private Main() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        if (FastPath.talksToLocalDaemon(args, env)) {
            SocketWarmup.start(); // first: the JDK's socket setup is most of the command's own time
            SocketWarmup.providerTablesHere(); // meanwhile, its other half
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // The fast path first: System.console() alone costs more than a whole status request.
        OptionalInt fast = FastPath.tryRun(args, out, System.err, CONSOLE, env,
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

    /**
     * Whether a terminal is attached, asked only when needed. A class, not a lambda: this call site is not in the AOT
     * cache's training (which goes through {@link #run}), and a lambda spun at run time costs ~2 ms interpreted.
     */
    private static final class ConsoleCheck implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return System.console() != null;
        }
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
