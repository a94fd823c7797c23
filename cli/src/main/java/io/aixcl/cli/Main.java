package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.commands.Context;
import io.aixcl.cli.commands.Root;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        java.util.Map<String, String> env = System.getenv();
        // The fast path first: System.console() alone costs more than its whole request.
        java.util.OptionalInt fast = FastPath.tryRun(args, out, env, AixclPaths.fromEnvironment(env, uid()));
        int code = fast.isPresent() ? fast.getAsInt()
                : ordinary(args, out, System.err, env, System.console() != null);
        out.flush();
        System.exit(code);
    }

    /** The whole CLI as a function, so tests run it in-process. */
    public static int run(String[] args, PrintStream out, PrintStream err, java.util.Map<String, String> env,
                          boolean tty) {
        java.util.OptionalInt fast = FastPath.tryRun(args, out, env, AixclPaths.fromEnvironment(env, uid()));
        return fast.isPresent() ? fast.getAsInt() : ordinary(args, out, err, env, tty);
    }

    /** Every command through picocli. */
    static int ordinary(String[] args, PrintStream out, PrintStream err, java.util.Map<String, String> env,
                        boolean tty) {
        AixclPaths paths = AixclPaths.fromEnvironment(env, uid());
        CommandLine cli = commandLine(new Context(out, err, paths, tty,
                io.aixcl.cli.commands.RemoteOptions.fromEnvironment(env)), Root.commandsFor(args));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    public static CommandLine commandLine(Context ctx) {
        return commandLine(ctx, Root.COMMANDS);
    }

    /** The command line with only {@code commands} registered under the root (see {@link Root#commandsFor}). */
    public static CommandLine commandLine(Context ctx, java.util.List<Class<?>> commands) {
        CommandLine cli = new CommandLine(new Root(ctx));
        commands.forEach(cli::addSubcommand);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CliException e) {
                ctx.err().println("aixcl: error: " + e.getMessage());
                e.details().forEach(d -> ctx.err().println("  " + d));
                return e.exitCode();
            }
            ctx.err().println("aixcl: error: " + ex);
            return ExitCodes.FAILED;
        });
        cli.setParameterExceptionHandler((ex, args) -> {
            ctx.err().println("aixcl: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, ctx.err());
            ctx.err().println("See '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.INVALID_INPUT;
        });
        return cli;
    }

    private static long uid() {
        try {
            Object uid = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (Exception e) {
            return 0;
        }
    }
}
