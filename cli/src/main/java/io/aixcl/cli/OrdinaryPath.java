package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import io.aixcl.cli.commands.Context;
import io.aixcl.cli.commands.RemoteOptions;
import io.aixcl.cli.commands.Root;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Every command through picocli (what {@link FastPath} does not take). */
public final class OrdinaryPath {
    private OrdinaryPath() {}

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean tty) {
        AixclPaths paths = AixclPaths.fromEnvironment(env, Main.uid());
        CommandLine cli = commandLine(new Context(out, err, paths, tty, RemoteOptions.fromEnvironment(env)),
                Root.commandsFor(args));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    public static CommandLine commandLine(Context ctx) {
        return commandLine(ctx, Root.COMMANDS);
    }

    /** The command line with only {@code commands} registered under the root (see {@link Root#commandsFor}). */
    public static CommandLine commandLine(Context ctx, List<Class<?>> commands) {
        CommandLine cli = new CommandLine(new Root(ctx));
        commands.forEach(cli::addSubcommand);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CliException e) {
                e.report(ctx.err());
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
}
